CREATE TABLE "memories" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"kind" text DEFAULT 'fact' NOT NULL,
	"text" text NOT NULL,
	"thread_id" uuid,
	"message_id" text,
	"tool_call_id" text,
	"embedding" real[],
	"embedding_model" text,
	"tsv" "tsvector" GENERATED ALWAYS AS (to_tsvector('english'::regconfig, "memories"."text")) STORED NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_recalled_at" timestamp (3) with time zone,
	CONSTRAINT "memories_text_length" CHECK (char_length("memories"."text") between 1 and 2000),
	CONSTRAINT "memories_kind" CHECK ("memories"."kind" in ('profile', 'fact'))
);
--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "temporary" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "user" ADD COLUMN "use_memory" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "memories" ADD CONSTRAINT "memories_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memories" ADD CONSTRAINT "memories_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "memories_user_tool_call_idx" ON "memories" USING btree ("user_id","tool_call_id");--> statement-breakpoint
CREATE INDEX "memories_user_kind_updated_idx" ON "memories" USING btree ("user_id","kind","updated_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "memories_user_updated_idx" ON "memories" USING btree ("user_id","updated_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "memories_thread_idx" ON "memories" USING btree ("thread_id");--> statement-breakpoint
-- custom: btree_gin and recall's (user_id, tsv) index; notes move into memories, then notes go.
-- drizzle-kit writes `DROP TABLE "notes" CASCADE;` among the statements above: after regenerating,
-- delete it there, since it is here, after the copy.
CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
-- fastupdate off: recall reads this index before every model call and memories are written rarely,
-- so each write pays to update it rather than every read scanning a list of pending entries.
CREATE INDEX IF NOT EXISTS "memories_user_tsv_idx" ON "memories" USING gin ("user_id", "tsv") WITH (fastupdate = off);--> statement-breakpoint
-- Every note becomes a fact with its id, user, text, tool call (so a replayed save_note still finds
-- it) and date. A note longer than a memory may be (none could be saved, but nothing checked it)
-- becomes several memories in order, the first with the note's id; an empty note has nothing to keep.
INSERT INTO "memories" ("id", "user_id", "kind", "text", "tool_call_id", "created_at", "updated_at")
SELECT CASE WHEN part = 0 THEN n."id" ELSE gen_random_uuid() END,
       n."user_id",
       'fact',
       substr(n."text", part * 2000 + 1, 2000),
       CASE WHEN part = 0 THEN n."tool_call_id" ELSE n."tool_call_id" || '#' || (part + 1) END,
       n."created_at" + part * interval '1 millisecond',
       n."created_at" + part * interval '1 millisecond'
FROM "notes" n, generate_series(0, (char_length(n."text") - 1) / 2000) AS part
WHERE char_length(n."text") > 0;--> statement-breakpoint
DROP TABLE "notes" CASCADE;
