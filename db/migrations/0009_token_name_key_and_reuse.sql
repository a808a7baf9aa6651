ALTER TABLE `api_tokens` ADD `name_key` text;--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `reuse_detected_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_name_key_uq` ON `api_tokens` (`name_key`);--> statement-breakpoint
-- Plain ASCII names that no other token shares case-insensitively: their key is lower(name). The rest are keyed at start-up (lib/tokens/name-keys.ts).
UPDATE `api_tokens` SET `name_key` = lower(`name`)
WHERE `name` NOT GLOB '*[^ -~]*' AND `name` = trim(`name`) AND instr(`name`, '  ') = 0
  AND lower(`name`) IN (SELECT lower(`name`) FROM `api_tokens` GROUP BY lower(`name`) HAVING count(*) = 1);
