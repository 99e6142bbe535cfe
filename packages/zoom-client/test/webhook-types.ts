// Type-level test, compiled by `tsc -p packages/zoom-client/test` (npm run lint): the SDK's
// webhook event types are Rivet's, field by field. Nothing here runs.
import type * as RivetAccounts from '@zoom/rivet/accounts';
import type * as Rivet from '@zoom/rivet/users';
import type * as Ours from '../src/index.js';

/** A type with intersections flattened and every level spelled out, so that two spellings compare. */
type Normalize<T> = T extends readonly (infer U)[]
  ? Normalize<U>[]
  : T extends object
    ? { [K in keyof T]: Normalize<T[K]> }
    : T;
/** True when A and B are the same type (optional and readonly modifiers included). */
type Same<A, B> =
  (<X>() => X extends Normalize<A> ? 1 : 2) extends <X>() => X extends Normalize<B> ? 1 : 2 ? true : false;
/** Assignable both ways. */
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

/** `payload.object.settings.security` (or `old_object`'s) of an `account.settings_updated` type. */
type Payload<E> = NonNullable<E extends { payload?: infer P } ? P : never>;
type Security<E, O extends 'object' | 'old_object'> =
  NonNullable<Payload<E>[O & keyof Payload<E>]> extends { settings?: infer S }
    ? NonNullable<NonNullable<S> extends { security?: infer T } ? T : never>
    : never;
/** Not `never` (which would make `Same` vacuously true). */
type Some<T> = [T] extends [never] ? false : true;

export type Checks = [
  // The list of names a subscription may name is every event typed, and nothing else.
  Assert<Same<(typeof Ours.WEBHOOK_EVENT_NAMES)[number], Ours.WebhookEventName>>,
  Assert<Same<Ours.UserCreatedEvent, Rivet.UserCreatedEvent>>,
  Assert<Same<Ours.UserUpdatedEvent, Rivet.UserUpdatedEvent>>,
  Assert<Same<Ours.UserActivatedEvent, Rivet.UserActivatedEvent>>,
  Assert<Same<Ours.UserDeactivatedEvent, Rivet.UserDeactivatedEvent>>,
  Assert<Same<Ours.UserDeletedEvent, Rivet.UserDeletedEvent>>,
  Assert<Same<Ours.UserDisassociatedEvent, Rivet.UserDisassociatedEvent>>,
  Assert<Same<Ours.UserInvitationAcceptedEvent, Rivet.UserInvitationAcceptedEvent>>,
  Assert<Same<Ours.UserSignedInEvent, Rivet.UserSignedInEvent>>,
  Assert<Same<Ours.UserSignedOutEvent, Rivet.UserSignedOutEvent>>,
  Assert<Mutual<Ours.UserCreatedEvent, Rivet.UserCreatedEvent>>,
  Assert<Mutual<Ours.UserUpdatedEvent, Rivet.UserUpdatedEvent>>,
  Assert<Mutual<Ours.UserActivatedEvent, Rivet.UserActivatedEvent>>,
  Assert<Mutual<Ours.UserDeactivatedEvent, Rivet.UserDeactivatedEvent>>,
  Assert<Mutual<Ours.UserDeletedEvent, Rivet.UserDeletedEvent>>,
  Assert<Mutual<Ours.UserDisassociatedEvent, Rivet.UserDisassociatedEvent>>,
  Assert<Mutual<Ours.UserInvitationAcceptedEvent, Rivet.UserInvitationAcceptedEvent>>,
  Assert<Mutual<Ours.UserSignedInEvent, Rivet.UserSignedInEvent>>,
  Assert<Mutual<Ours.UserSignedOutEvent, Rivet.UserSignedOutEvent>>,
  Assert<Mutual<Ours.AccountSettingsUpdatedEvent, RivetAccounts.AccountSettingsUpdatedEvent>>,
  // The security section, the part zpass holds, is Rivet's exactly, before and after.
  Assert<Some<Security<Ours.AccountSettingsUpdatedEvent, 'object'>>>,
  Assert<Some<Security<Ours.AccountSettingsUpdatedEvent, 'old_object'>>>,
  Assert<
    Same<
      Security<Ours.AccountSettingsUpdatedEvent, 'object'>,
      Security<RivetAccounts.AccountSettingsUpdatedEvent, 'object'>
    >
  >,
  Assert<
    Same<
      Security<Ours.AccountSettingsUpdatedEvent, 'old_object'>,
      Security<RivetAccounts.AccountSettingsUpdatedEvent, 'old_object'>
    >
  >,
];
