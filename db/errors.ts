/** Turns a failure to reach Postgres into one sentence an operator can act on. */
export function explainDatabaseError(err: unknown, url: string): string {
  const where = describeUrl(url);
  if (where === null) return "DATABASE_URL is not a valid URL. Expected postgres://user:password@host:port/database.";
  const e = err as { code?: string; message?: string };
  switch (e.code) {
    case "ECONNREFUSED":
      return `Cannot connect to PostgreSQL at ${where.hostPort}: nothing is listening there. Is PostgreSQL running, and is the port right?`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `Cannot connect to PostgreSQL: the host "${where.host}" was not found. Check the host in DATABASE_URL.`;
    case "ETIMEDOUT":
      return `Cannot connect to PostgreSQL at ${where.hostPort}: the connection timed out. Check the host, port and firewall.`;
    case "28P01":
    case "28000":
      return `PostgreSQL at ${where.hostPort} rejected user "${where.user}": wrong user name or password in DATABASE_URL.`;
    case "3D000":
      return `PostgreSQL at ${where.hostPort} has no database "${where.database}". Create it (createdb ${where.database}) or fix DATABASE_URL.`;
    case "57P03":
      return `PostgreSQL at ${where.hostPort} is starting up or shutting down; try again in a moment.`;
  }
  if (e.message?.includes("timeout")) {
    return `Cannot connect to PostgreSQL at ${where.hostPort}: the connection timed out. Check the host, port and firewall.`;
  }
  return `Cannot use PostgreSQL at ${where.hostPort}: ${e.message ?? String(err)}`;
}

function describeUrl(url: string) {
  try {
    const u = new URL(url);
    if (!u.protocol.startsWith("postgres")) return null;
    const host = u.hostname || "localhost";
    return {
      host,
      hostPort: `${host}:${u.port || "5432"}`,
      user: decodeURIComponent(u.username) || "(default)",
      database: decodeURIComponent(u.pathname.slice(1)) || decodeURIComponent(u.username),
    };
  } catch {
    return null;
  }
}
