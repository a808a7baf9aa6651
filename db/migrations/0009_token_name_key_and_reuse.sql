ALTER TABLE `api_tokens` ADD `name_key` text;--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `reuse_detected_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_name_key_uq` ON `api_tokens` (`name_key`);