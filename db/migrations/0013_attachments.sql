CREATE TABLE "attachments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"sha256" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"media_type" text NOT NULL,
	"size" integer NOT NULL,
	"data" "bytea" NOT NULL,
	"text" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "attachments_kind" CHECK ("attachments"."kind" in ('image', 'document'))
);
--> statement-breakpoint
CREATE TABLE "message_attachments" (
	"thread_id" uuid NOT NULL,
	"message_id" text NOT NULL,
	"attachment_id" uuid NOT NULL,
	"name" text NOT NULL,
	"position" integer NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "message_attachments_thread_id_message_id_attachment_id_pk" PRIMARY KEY("thread_id","message_id","attachment_id")
);
--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_attachments" ADD CONSTRAINT "message_attachments_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_attachments" ADD CONSTRAINT "message_attachments_attachment_id_attachments_id_fk" FOREIGN KEY ("attachment_id") REFERENCES "public"."attachments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "attachments_user_sha_idx" ON "attachments" USING btree ("user_id","sha256");--> statement-breakpoint
CREATE INDEX "message_attachments_attachment_idx" ON "message_attachments" USING btree ("attachment_id");--> statement-breakpoint
-- Images and PDFs are compressed already: stored out of line without another try at compressing them.
ALTER TABLE "attachments" ALTER COLUMN "data" SET STORAGE EXTERNAL;--> statement-breakpoint
-- A file goes when the last message that refers to it does (with its thread, or its account).
CREATE FUNCTION "attachments_drop_unreferenced"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "attachments" a
  WHERE a.id = OLD.attachment_id
    AND NOT EXISTS (SELECT 1 FROM "message_attachments" m WHERE m.attachment_id = OLD.attachment_id);
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "message_attachments_drop_unreferenced" AFTER DELETE ON "message_attachments"
  FOR EACH ROW EXECUTE FUNCTION "attachments_drop_unreferenced"();
