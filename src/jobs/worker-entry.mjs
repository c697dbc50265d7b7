// Worker threads do not inherit the main thread's loader hooks, so a thread
// started from the TypeScript sources loads tsx itself before its entry.
import { register } from 'tsx/esm/api';

register();
await import('./worker-thread.ts');
