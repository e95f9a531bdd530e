import path from "node:path";
import { pathToFileURL } from "node:url";

const preload = path.resolve(import.meta.dirname, "../../server/security/front-door-preload.mjs");

/**
 * The Node option that loads the front door (server/security/front-door.mjs) into the process that
 * runs Next, before Next: every launcher (`npm start`, `npm run dev`, the test servers) passes it.
 * `next dev` hands it on to the server process it forks.
 */
export const frontDoorImport = `--import=${pathToFileURL(preload).href}`;
