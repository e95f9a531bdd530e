/**
 * `npm run lock:fix`, after any dependency change.
 *
 * Some registry mirrors (this project's build machines among them) serve only the packages of their
 * own platform: darwin or win32 builds 404. `npm install` then silently leaves those optional
 * packages out of package-lock.json, and `npm ci` refuses the lockfile as out of sync. This adds the
 * missing optional entries with their os/cpu/libc, so `npm ci` knows to skip them on this platform
 * and a machine of that platform knows to fetch them. On a complete lockfile it changes nothing.
 */
import fs from "node:fs";

const file = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(fs.readFileSync(file, "utf8"));
const packages = lock.packages;

const OS = ["darwin", "win32", "linux", "android", "freebsd", "openbsd", "netbsd", "sunos", "aix", "openharmony"];
const CPU = ["arm64", "x64", "ia32", "arm", "loong64", "ppc64", "riscv64", "s390x", "mips64el", "wasm32"];

function platformOf(name) {
  const parts = name.split("/").pop().split("-");
  const os = OS.find((o) => parts.includes(o));
  const cpu = CPU.find((c) => parts.includes(c)) ?? (parts.includes("gnueabihf") || parts.includes("musleabihf") || parts.includes("eabi") ? "arm" : undefined);
  const libc = parts.some((p) => p.startsWith("musl")) ? "musl" : parts.some((p) => p.startsWith("gnu")) && os === "linux" ? "glibc" : undefined;
  if (parts.includes("wasi") || parts.includes("wasm32")) return { cpu: ["wasm32"] };
  return { ...(os && { os: [os] }), ...(cpu && { cpu: [cpu] }), ...(libc && { libc: [libc] }) };
}

let added = 0;
for (const [location, pkg] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(pkg.optionalDependencies ?? {})) {
    const nested = `${location ? `${location}/` : ""}node_modules/${name}`;
    if (packages[nested] || packages[`node_modules/${name}`]) continue;
    const version = String(spec).replace(/^[\^~=]/, "");
    if (!/^\d+\.\d+\.\d+/.test(version)) continue;
    const platform = platformOf(name);
    if (!platform.os && !platform.cpu) continue; // not a platform build: leave it to npm
    packages[`node_modules/${name}`] = { version, optional: true, ...platform };
    added++;
  }
}

lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))));
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");
console.log(added ? `package-lock.json: added ${added} optional platform package(s) the registry did not serve` : "package-lock.json: complete");
