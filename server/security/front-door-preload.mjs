/**
 * Loaded with `node --import` into the process that runs Next (scripts/lib/front-door.ts names it
 * for every launcher). Node's `http.server.request.start` channel reports each request before any
 * server's request listener runs, so Next only ever sees what `admit` left (front-door.mjs).
 */
import diagnostics from "node:diagnostics_channel";
import { admit, frontDoorSettings, installProof } from "./front-door.mjs";

const settings = frontDoorSettings(process.env);
const proof = installProof();

diagnostics.subscribe("http.server.request.start", ({ request, response, socket }) => {
  try {
    const hsts = admit(request.headers, socket, settings, proof);
    if (hsts) response.setHeader("Strict-Transport-Security", hsts);
  } catch (err) {
    // A subscriber's error would end the process. Left without its proof, the request's address reads as unknown.
    console.error("[threadline] front door:", err);
  }
});
