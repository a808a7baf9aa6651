ALTER TABLE `api_tokens` ADD `description` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `api_tokens_name_nocase_idx` ON `api_tokens` ("name" COLLATE NOCASE,`id`);--> statement-breakpoint
CREATE INDEX `api_tokens_created_idx` ON `api_tokens` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `api_tokens_last_used_idx` ON `api_tokens` (`last_used_at`,`id`);--> statement-breakpoint
CREATE INDEX `api_tokens_expiry_idx` ON `api_tokens` ((CASE WHEN "expires_at" = 0 THEN 253402300800000 ELSE "expires_at" END),`id`);