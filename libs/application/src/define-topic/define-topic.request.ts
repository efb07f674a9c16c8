import { TOPIC_DESCRIPTION_MAX_LENGTH, TOPIC_ID_MAX_LENGTH, TOPIC_ID_PATTERN, TOPIC_TITLE_MAX_LENGTH } from '@stance-ledger/domain';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';

export class DefineTopicRequest {
  @ApiProperty({ example: 'ukraine-multinational-force', description: 'Slug: lower-case letters, digits, single hyphens' })
  @IsString()
  @MaxLength(TOPIC_ID_MAX_LENGTH)
  @Matches(TOPIC_ID_PATTERN, { message: 'id must be a slug of lower-case letters, digits and single hyphens' })
  id: string;

  @ApiProperty({ example: 'Post-ceasefire multinational force in Ukraine' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TOPIC_TITLE_MAX_LENGTH)
  title: string;

  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(TOPIC_DESCRIPTION_MAX_LENGTH)
  description: string;
}
