export { type Clock, ManualClock, systemClock } from './clock.js';
export { ConfigError } from './config.js';
export { Hasher } from './crypto/hasher.js';
export type { FixtureAccount, Fixtures, FixtureUser } from './domain/accounts/seed.js';
export { buildApp, type RunningServer, type ServerOptions } from './server.js';
export { openStore, Store } from './store/database.js';
export { type EmbeddedOptions, type EmbeddedServer, loadFixtures, startServer } from './twin.js';
