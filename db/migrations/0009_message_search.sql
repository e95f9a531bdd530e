CREATE TABLE "message_search" (
	"key" uuid PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"thread_id" uuid NOT NULL,
	"message_id" text NOT NULL,
	"role" text NOT NULL,
	"body" text NOT NULL,
	"tsv" "tsvector" GENERATED ALWAYS AS (to_tsvector('english'::regconfig, body)) STORED NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT clock_timestamp() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "search_backfill" (
	"thread_id" uuid PRIMARY KEY NOT NULL
);
--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "title_search" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('english'::regconfig, title), 'A')) STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "message_search" ADD CONSTRAINT "message_search_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "search_backfill" ADD CONSTRAINT "search_backfill_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "message_search_thread_idx" ON "message_search" USING btree ("thread_id");--> statement-breakpoint
-- custom: btree_gin and the two search indexes that need it (made here, not declared in db/schema.ts, since drizzle-kit would put them before the extension exists); the threads to backfill. Safe to run again.
CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "message_search_user_tsv_idx" ON "message_search" USING gin ("user_id", "tsv");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "threads_user_title_search_idx" ON "threads" USING gin ("user_id", "title_search");--> statement-breakpoint
INSERT INTO "search_backfill" ("thread_id") SELECT "id" FROM "threads" ON CONFLICT DO NOTHING;
