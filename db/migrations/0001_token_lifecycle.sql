CREATE TABLE `audit_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`action` text NOT NULL,
	`outcome` text NOT NULL,
	`actor_type` text NOT NULL,
	`actor_id` integer,
	`actor_name` text DEFAULT '' NOT NULL,
	`ip` text DEFAULT '' NOT NULL,
	`target_type` text DEFAULT '' NOT NULL,
	`target_id` integer,
	`target_name` text DEFAULT '' NOT NULL,
	`detail` text DEFAULT '{}' NOT NULL,
	`count` integer DEFAULT 1 NOT NULL,
	`agg_key` text
);
--> statement-breakpoint
CREATE INDEX `audit_events_action_idx` ON `audit_events` (`action`,`id`);--> statement-breakpoint
CREATE INDEX `audit_events_target_idx` ON `audit_events` (`target_type`,`target_id`);--> statement-breakpoint
CREATE INDEX `audit_events_actor_idx` ON `audit_events` (`actor_type`,`actor_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `audit_events_agg_key_uq` ON `audit_events` (`agg_key`);--> statement-breakpoint
CREATE TABLE `token_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`generation` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `last_used_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `last_used_ip` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `allowed_ips` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `previous_token_hash` text;--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `previous_valid_until` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_previous_token_hash_uq` ON `api_tokens` (`previous_token_hash`);