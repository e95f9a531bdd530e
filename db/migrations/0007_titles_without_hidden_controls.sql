-- Titles saved before titles were cleaned lose the direction controls and zero-width characters
-- that lib/text.ts's withoutHiddenControls now strips from every new one (a zero-width joiner is
-- left alone: inside an emoji sequence it draws one picture). A title of nothing else becomes the default.
UPDATE "threads"
SET "title" = coalesce(nullif(btrim(regexp_replace("title", '[\u061C\u200B\u200C\u200E\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]', '', 'g')), ''), 'New chat')
WHERE "title" ~ '[\u061C\u200B\u200C\u200E\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]';
