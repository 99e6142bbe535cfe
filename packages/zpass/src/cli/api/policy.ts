import { type PasswordRequirementSettings, ZoomBadRequestError, type ZoomClient } from '@zpass/zoom-client';

/**
 * The account's password requirement, read through the settings API. A token without the
 * settings scope (Zoom's 400 code 4711) gets the baseline rules, with a note: the server still
 * applies the account's own rules when the password is sent.
 */
export async function fetchRequirement(client: ZoomClient): Promise<PasswordRequirementSettings | undefined> {
  try {
    const settings = await client.accounts.getSettings('me', { option: 'security' });
    return settings.security?.password_requirement;
  } catch (err) {
    if (err instanceof ZoomBadRequestError && err.isMissingScope) {
      process.stderr.write(
        "note: the credentials may not read account settings; checking against Zoom's baseline rules only\n",
      );
      return undefined;
    }
    throw err;
  }
}
