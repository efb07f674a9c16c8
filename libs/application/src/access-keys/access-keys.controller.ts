import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { type AccessKey, AccessKeys } from './access-keys';
import { ACCESS_KEY_NAME, ROLES } from '@stance-ledger/domain';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, Matches } from 'class-validator';
import { Access } from '../http/access';
import { Caller, type Principal } from '../http/principal';
import { commandContextOf } from '../http/request-context';
import { ErrorResponse } from '../http/responses';

export class IssueAccessKeyRequest {
  @ApiProperty({ example: 'alice', description: 'Who the key is (a person or a system): every event recorded with it names it as recordedBy' })
  @IsString()
  @Matches(ACCESS_KEY_NAME, { message: 'name must be 1 to 100 letters, digits, spaces or ._@+:- starting with a letter or digit' })
  name: string;

  @ApiProperty({ enum: ROLES, isArray: true, example: ['recorder'] })
  @IsArray()
  @ArrayMinSize(1, { message: 'roles must hold at least one role' })
  @ArrayMaxSize(ROLES.length * 2)
  @IsIn(ROLES, { each: true, message: `each of roles must be one of ${ROLES.join(', ')}` })
  roles: string[];
}

class AccessKeyResponse {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles: string[];
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional({ nullable: true }) revokedAt: string | null;
}

class IssuedAccessKeyResponse {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles: string[];
  @ApiProperty() createdAt: string;
  @ApiProperty({ description: 'The secret: shown in this answer only, stored only as a hash' }) key: string;
}

class AccessKeysResponse {
  @ApiProperty({ type: [AccessKeyResponse] }) keys: AccessKeyResponse[];
}

const keyBody = (key: AccessKey) => ({
  id: key.id,
  name: key.name,
  roles: key.roles,
  createdAt: key.createdAt.toISOString(),
  createdBy: key.createdBy,
  revokedAt: key.revokedAt?.toISOString() ?? null,
  revokedBy: key.revokedBy,
});

/** Key management: each issue and revocation is also an event of the access-keys stream, recorded by the admin who did it. */
@ApiTags('admin')
@Controller('admin/keys')
export class AccessKeysController {
  constructor(private readonly keys: AccessKeys) {}

  @Access('admin')
  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Issue an API key with a name and roles; the secret is in this answer only' })
  @ApiCreatedResponse({ type: IssuedAccessKeyResponse })
  async issue(@Body() request: IssueAccessKeyRequest, @Headers() headers: Record<string, string>, @Caller() caller: Principal) {
    const issued = (await this.keys.issue(request, commandContextOf(headers, caller)))!;
    return { id: issued.id, name: issued.name, roles: issued.roles, createdAt: issued.createdAt.toISOString(), key: issued.key };
  }

  @Access('admin')
  @Get()
  @ApiOperation({ summary: 'Every key issued, revoked ones too (never a secret)' })
  @ApiOkResponse({ type: AccessKeysResponse })
  async list() {
    return { keys: (await this.keys.list()).map(keyBody) };
  }

  @Access('admin')
  @Delete(':id')
  @ApiOperation({ summary: 'Revoke a key: every API process refuses it within a second' })
  @ApiOkResponse({ type: AccessKeyResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async revoke(@Param('id') id: string, @Headers() headers: Record<string, string>, @Caller() caller: Principal) {
    return keyBody(await this.keys.revoke(id, commandContextOf(headers, caller)));
  }
}
