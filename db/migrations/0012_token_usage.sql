CREATE TABLE `token_usage` (
	`token_id` integer NOT NULL,
	`day` integer NOT NULL,
	`method` text NOT NULL,
	`route` text NOT NULL,
	`calls` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`token_id`, `day`, `method`, `route`)
);
--> statement-breakpoint
CREATE INDEX `token_usage_day_idx` ON `token_usage` (`day`);