CREATE TABLE `token_policy` (
	`id` integer PRIMARY KEY NOT NULL,
	`max_lifetime_days` integer DEFAULT 0 NOT NULL,
	`default_expiry_days` integer DEFAULT 0 NOT NULL,
	`admin_requires_allowlist` integer DEFAULT false NOT NULL,
	`disable_on_reuse` integer DEFAULT false NOT NULL,
	`updated_at` integer DEFAULT 0 NOT NULL
);
