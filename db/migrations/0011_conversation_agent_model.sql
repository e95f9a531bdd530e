ALTER TABLE "threads" ADD COLUMN "agent_id" text;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "model_id" text;--> statement-breakpoint
-- Feedback was counted under "default" while there was one agent; it was the built-in one, now "assistant".
UPDATE "feedback" SET "agent" = 'assistant' WHERE "agent" = 'default';
