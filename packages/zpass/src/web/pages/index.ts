/**
 * Every page, one file each: add a page by adding its file here. Each registers its own
 * routes on the pages' edge (web/edge.ts), with the page kit (web/kit/).
 */
import type { Page } from '../kit/page.js';
import { accountPasswordPage } from './account-password.js';
import { accountTwoFactorPage } from './account-two-factor.js';
import { assetFiles } from './assets.js';
import { docsPages } from './docs.js';
import { invitationPage } from './invitation.js';
import { signInPage } from './signin.js';
import { signInResetPage } from './signin-reset.js';
import { signInTwoFactorPage } from './signin-two-factor.js';
import { signOutPage } from './signout.js';
import { startPage } from './start.js';

export const PAGES: readonly Page[] = [
  startPage,
  assetFiles,
  docsPages,
  signInPage,
  signInResetPage,
  signInTwoFactorPage,
  signOutPage,
  accountPasswordPage,
  accountTwoFactorPage,
  invitationPage,
];
