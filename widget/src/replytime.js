// @ts-check
/** How soon the shop usually answers (the widget session's `config.reply_time_s`), as the rough
 * promise the header makes: a bucket, never a number of seconds that would read as a guarantee. */

/** The catalogue key for a typical reply time, or null to say nothing: no figure, or over a day
 * (a live chat that usually waits longer promises nothing worth reading).
 * @param {unknown} seconds
 * @returns {"reply_under_minute" | "reply_few_minutes" | "reply_within_hour" | "reply_few_hours" | null} */
export function replyTimeKey(seconds) {
  if (typeof seconds !== "number" || !isFinite(seconds) || seconds < 0) return null;
  if (seconds < 60) return "reply_under_minute";
  if (seconds <= 10 * 60) return "reply_few_minutes";
  if (seconds <= 60 * 60) return "reply_within_hour";
  if (seconds <= 24 * 60 * 60) return "reply_few_hours";
  return null;
}
