-- Team mode: what a refused change would have done and why, as the window words them in the
-- admin's language — the change's kind, the names its description uses (a JSON object) and
-- the refusal's code — beside the English `what` and `reason` the command line prints.
-- Refusals recorded before have none: the window shows their English.
ALTER TABLE team_refusals ADD COLUMN kind TEXT;
ALTER TABLE team_refusals ADD COLUMN what_values TEXT;
ALTER TABLE team_refusals ADD COLUMN code TEXT;
