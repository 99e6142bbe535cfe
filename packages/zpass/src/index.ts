export { type Clock, ManualClock, systemClock } from './clock.js';
export { Hasher } from './crypto/hasher.js';
export { buildApp, type RunningServer, type ServerOptions, startServer } from './server.js';
export { openStore, Store } from './store/database.js';
