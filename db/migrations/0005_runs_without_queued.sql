-- No code ever wrote `queued`; any such row is an active run by another name.
UPDATE "runs" SET "status" = 'running' WHERE "status" = 'queued';--> statement-breakpoint
DROP INDEX "runs_one_active_per_thread";--> statement-breakpoint
DROP INDEX "runs_stale_idx";--> statement-breakpoint
ALTER TABLE "runs" ALTER COLUMN "status" SET DEFAULT 'running';--> statement-breakpoint
CREATE UNIQUE INDEX "runs_one_active_per_thread" ON "runs" USING btree ("thread_id") WHERE status in ('running');--> statement-breakpoint
CREATE INDEX "runs_stale_idx" ON "runs" USING btree ("heartbeat_at") WHERE status in ('running');