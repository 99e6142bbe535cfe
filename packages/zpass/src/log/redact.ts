/** A URL with its password replaced by `***`, for messages and logs (database, Redis, SMTP URLs). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
