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

/**
 * An endpoint URL for logs: its query values replaced by `***` (a webhook URL may carry a
 * token in its query string), its password too.
 */
export function redactQuery(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const key of [...new Set(u.searchParams.keys())]) u.searchParams.set(key, '***');
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
