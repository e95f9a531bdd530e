import net from "node:net";
import { describe, it, expect, inject } from "vitest";
import { checkConnection, DatabaseUnavailableError } from "./provision";

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

const withDatabase = (url: string, db: string) => Object.assign(new URL(url), { pathname: `/${db}` }).toString();

describe("a database that cannot be used gives one clear sentence", () => {
  it("nothing listening", async () => {
    const port = await closedPort();
    const err = await checkConnection(`postgres://u:p@127.0.0.1:${port}/x`).catch((e) => e);
    expect(err).toBeInstanceOf(DatabaseUnavailableError);
    expect(err.message).toBe(`Cannot connect to PostgreSQL at 127.0.0.1:${port}: nothing is listening there. Is PostgreSQL running, and is the port right?`);
  });

  it("missing database", async () => {
    const err = await checkConnection(withDatabase(inject("pgAdminUrl"), "no_such_db_here")).catch((e) => e);
    expect(err.message).toMatch(/has no database "no_such_db_here"/);
  });

  it("unknown role or wrong password", async () => {
    const url = new URL(inject("pgAdminUrl"));
    url.username = "no_such_role";
    url.password = "wrong";
    const err = await checkConnection(url.toString()).catch((e) => e);
    expect(err.message).toMatch(/rejected user "no_such_role": wrong user name or password/);
    expect(err.message).not.toContain("wrong@");
  });

  it("malformed URL", async () => {
    const err = await checkConnection("not a url").catch((e) => e);
    expect(err.message).toBe("DATABASE_URL is not a valid URL. Expected postgres://user:password@host:port/database.");
  });
});
