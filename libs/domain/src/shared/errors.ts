/** Every failure the domain reports carries a stable code; the HTTP edge maps codes to statuses. */
export abstract class DomainError extends Error {
  abstract readonly code: string;

  protected constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A value broke a rule of the language (unknown country, future date, …). */
export class InvalidValueError extends DomainError {
  readonly code = 'invalid_value';

  constructor(
    readonly field: string,
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

export class TopicAlreadyDefinedError extends DomainError {
  readonly code = 'topic_already_defined';

  constructor(readonly topicId: string) {
    super(`topic '${topicId}' is already defined`);
  }
}

export class TopicNotDefinedError extends DomainError {
  readonly code = 'topic_not_defined';

  constructor(readonly topicId: string) {
    super(`topic '${topicId}' is not defined`);
  }
}

export class StanceRecordNotFoundError extends DomainError {
  readonly code = 'stance_record_not_found';

  constructor(
    readonly country: string,
    readonly recordId: string,
  ) {
    super(`${recordId} is not a stance record of ${country}`);
  }
}

export class StanceAlreadyRetractedError extends DomainError {
  readonly code = 'stance_already_retracted';

  constructor(readonly recordId: string) {
    super(`stance record ${recordId} is already retracted`);
  }
}
