import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ROLES } from '@stance-ledger/domain';
import { Access, Caller, type Principal } from '@stance-ledger/application';

class MeResponse {
  @ApiProperty({ example: 'alice', description: "The key's name, or the token's email (else sub): what `recordedBy` says of what you record" })
  principal: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles: string[];
  @ApiProperty({ enum: ['key', 'oidc'] }) via: string;
}

@ApiTags('access')
@Controller('me')
export class MeController {
  @Access('credential')
  @Get()
  @ApiOperation({ summary: 'Who the credential proves you are, and what it lets you do' })
  @ApiOkResponse({ type: MeResponse })
  me(@Caller() caller: Principal): Principal {
    return { principal: caller.principal, roles: caller.roles, via: caller.via };
  }
}
