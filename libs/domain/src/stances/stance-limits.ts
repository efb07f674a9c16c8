/** The bounds of a stance record's texts: the request DTOs and the parsers both read them from here. */
export const HEADLINE_MAX_LENGTH = 300;
export const SUMMARY_MAX_LENGTH = 5000;
/** Conditions and commitment. */
export const QUALIFIER_MAX_LENGTH = 1000;
export const REASON_MAX_LENGTH = 1000;
export const SOURCE_PUBLISHER_MAX_LENGTH = 200;
export const SOURCE_TITLE_MAX_LENGTH = 500;
export const SOURCE_URL_MAX_LENGTH = 2000;
export const QUOTE_MAX_LENGTH = 5000;
export const SOURCE_SPEAKER_MAX_LENGTH = 200;
