CREATE TABLE `panel_info` (
	`id` integer PRIMARY KEY NOT NULL,
	`guid` text NOT NULL
);
