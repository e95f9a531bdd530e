import { tool } from "@langchain/core/tools";
import { z } from "zod";

export const currentTime = tool(
  ({ timezone }) => {
    const zone = timezone ?? "UTC";
    try {
      const now = new Date();
      const text = new Intl.DateTimeFormat("en-GB", {
        timeZone: zone,
        dateStyle: "full",
        timeStyle: "long",
      }).format(now);
      return `${text} (${zone})`;
    } catch {
      return `Error: "${zone}" is not a known IANA time zone (examples: Europe/Paris, America/New_York, Asia/Tokyo).`;
    }
  },
  {
    name: "current_time",
    description: "Returns the current date and time, in UTC or in the given IANA time zone.",
    schema: z.object({
      timezone: z.string().max(64).optional().describe("An IANA time zone such as Europe/Paris; UTC when omitted"),
    }),
  },
);
