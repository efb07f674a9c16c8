import { TOPIC_DESCRIPTION_MAX_LENGTH, TOPIC_ID_MAX_LENGTH, TOPIC_ID_PATTERN, TOPIC_TITLE_MAX_LENGTH } from '@stance-ledger/domain';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';

export class DefineTopicRequest {
  @IsString()
  @MaxLength(TOPIC_ID_MAX_LENGTH)
  @Matches(TOPIC_ID_PATTERN, { message: 'id must be a slug of lower-case letters, digits and single hyphens' })
  id: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(TOPIC_TITLE_MAX_LENGTH)
  title: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(TOPIC_DESCRIPTION_MAX_LENGTH)
  description: string;
}
