/**
 * Prints the browser the end-to-end tests will drive, or (exit 1) how to install one: `.ci/run`
 * asks it before installing one, so that both look in the same places.
 */
import { browserPath } from "./lib/browser";

console.log(browserPath());
