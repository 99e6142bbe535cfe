import { HasherBusyError } from '../crypto/hasher.js';
import { isUnavailable } from '../store/failures.js';
import { Errors, type ZoomError } from './errors.js';

/**
 * What the domain's collaborators throw when they cannot serve a request now, as the
 * catalogue's errors: the hasher's queue is full (busy), the database cannot be reached
 * (unavailable). Undefined for anything else. The edges' error policy asks this, so that
 * neither edge needs to know the hasher or the store.
 */
export function failureAsError(err: unknown): ZoomError | undefined {
  if (err instanceof HasherBusyError) return Errors.busy();
  if (isUnavailable(err)) return Errors.unavailable();
  return undefined;
}
