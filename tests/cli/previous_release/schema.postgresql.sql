-- A database as the last release before the migrations (main at 7a5c2d1) made it on PostgreSQL: the DDL its
-- `metadata.create_all` emitted for the store's tables, then the service's, captured once and never edited.
-- tests/cli/test_db.py loads it with rows.sql and runs `lks db upgrade` on it.

CREATE TABLE ingest_batches (
	batch_id SERIAL NOT NULL,
	started_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	finished_at TIMESTAMP WITHOUT TIME ZONE,
	source VARCHAR NOT NULL,
	contract_version VARCHAR NOT NULL,
	export_checksum VARCHAR(64) NOT NULL,
	files JSON NOT NULL,
	counts JSON NOT NULL,
	PRIMARY KEY (batch_id),
	UNIQUE (export_checksum)
);

CREATE TABLE rejected_rows (
	rejection_id SERIAL NOT NULL,
	batch_id INTEGER NOT NULL,
	table_name VARCHAR NOT NULL,
	file VARCHAR NOT NULL,
	line INTEGER NOT NULL,
	rule VARCHAR NOT NULL,
	message VARCHAR NOT NULL,
	raw JSON NOT NULL,
	PRIMARY KEY (rejection_id),
	FOREIGN KEY(batch_id) REFERENCES ingest_batches (batch_id)
);

CREATE INDEX ix_rejected_rows_batch_id ON rejected_rows (batch_id);

CREATE TABLE persons (
	version_id SERIAL NOT NULL,
	person_id VARCHAR NOT NULL,
	birth_year BIGINT NOT NULL,
	gender VARCHAR NOT NULL,
	migration_background VARCHAR NOT NULL,
	dutch_language_level VARCHAR NOT NULL,
	district VARCHAR NOT NULL,
	education_level VARCHAR NOT NULL,
	target_group_register BOOLEAN NOT NULL,
	health_limitation BOOLEAN NOT NULL,
	debt_problems BOOLEAN NOT NULL,
	childcare_need BOOLEAN NOT NULL,
	registered_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	batch_id INTEGER NOT NULL,
	source_line INTEGER NOT NULL,
	row_hash VARCHAR(64) NOT NULL,
	PRIMARY KEY (version_id),
	CONSTRAINT uq_persons_version UNIQUE (person_id, registered_at),
	FOREIGN KEY(batch_id) REFERENCES ingest_batches (batch_id)
);

CREATE INDEX ix_persons_person_id ON persons (person_id);

CREATE TABLE employers (
	version_id SERIAL NOT NULL,
	employer_id VARCHAR NOT NULL,
	sector VARCHAR NOT NULL,
	size_class VARCHAR NOT NULL,
	employer_type VARCHAR NOT NULL,
	own_jobcoach BOOLEAN NOT NULL,
	harrie_training_date DATE,
	social_return BOOLEAN NOT NULL,
	registered_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	batch_id INTEGER NOT NULL,
	source_line INTEGER NOT NULL,
	row_hash VARCHAR(64) NOT NULL,
	PRIMARY KEY (version_id),
	CONSTRAINT uq_employers_version UNIQUE (employer_id, registered_at),
	FOREIGN KEY(batch_id) REFERENCES ingest_batches (batch_id)
);

CREATE INDEX ix_employers_employer_id ON employers (employer_id);

CREATE TABLE placements (
	version_id SERIAL NOT NULL,
	placement_id VARCHAR NOT NULL,
	person_id VARCHAR NOT NULL,
	employer_id VARCHAR NOT NULL,
	start_date DATE NOT NULL,
	lks_start_date DATE NOT NULL,
	contract_type VARCHAR NOT NULL,
	planned_end_date DATE,
	hours_per_week FLOAT NOT NULL,
	wage_value_pct FLOAT NOT NULL,
	subsidy_type VARCHAR NOT NULL,
	springboard BOOLEAN NOT NULL,
	trial_placement_before BOOLEAN NOT NULL,
	partial_benefit BOOLEAN NOT NULL,
	months_on_benefit_before BIGINT NOT NULL,
	jobcoach_org VARCHAR,
	jobcoach_hours_per_month FLOAT NOT NULL,
	jobcoach_id VARCHAR,
	team VARCHAR NOT NULL,
	registered_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	batch_id INTEGER NOT NULL,
	source_line INTEGER NOT NULL,
	row_hash VARCHAR(64) NOT NULL,
	PRIMARY KEY (version_id),
	CONSTRAINT uq_placements_version UNIQUE (placement_id, registered_at),
	FOREIGN KEY(batch_id) REFERENCES ingest_batches (batch_id)
);

CREATE INDEX ix_placements_placement_id ON placements (placement_id);

CREATE TABLE events (
	version_id SERIAL NOT NULL,
	event_id VARCHAR NOT NULL,
	placement_id VARCHAR NOT NULL,
	event_date DATE NOT NULL,
	event_type VARCHAR NOT NULL,
	value_num FLOAT,
	value_text VARCHAR,
	registered_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	batch_id INTEGER NOT NULL,
	source_line INTEGER NOT NULL,
	row_hash VARCHAR(64) NOT NULL,
	PRIMARY KEY (version_id),
	CONSTRAINT uq_events_version UNIQUE (event_id, registered_at),
	FOREIGN KEY(batch_id) REFERENCES ingest_batches (batch_id)
);

CREATE INDEX ix_events_event_id ON events (event_id);

CREATE TABLE endings (
	version_id SERIAL NOT NULL,
	placement_id VARCHAR NOT NULL,
	end_date DATE NOT NULL,
	reason_code VARCHAR NOT NULL,
	registration VARCHAR NOT NULL,
	registered_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	batch_id INTEGER NOT NULL,
	source_line INTEGER NOT NULL,
	row_hash VARCHAR(64) NOT NULL,
	PRIMARY KEY (version_id),
	CONSTRAINT uq_endings_version UNIQUE (placement_id, registered_at),
	FOREIGN KEY(batch_id) REFERENCES ingest_batches (batch_id)
);

CREATE INDEX ix_endings_placement_id ON endings (placement_id);

CREATE TABLE risk_lists (
	list_id SERIAL NOT NULL,
	as_of DATE NOT NULL,
	model_version VARCHAR NOT NULL,
	input_hash VARCHAR(64) NOT NULL,
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	n_placements INTEGER NOT NULL,
	PRIMARY KEY (list_id),
	CONSTRAINT uq_risk_list UNIQUE (as_of, model_version, input_hash)
);

CREATE INDEX ix_risk_lists_as_of ON risk_lists (as_of);

CREATE TABLE users (
	user_id SERIAL NOT NULL,
	name VARCHAR NOT NULL,
	role VARCHAR NOT NULL,
	teams JSON NOT NULL,
	jobcoach_id VARCHAR,
	token_hash VARCHAR(64) NOT NULL,
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	revoked_at TIMESTAMP WITHOUT TIME ZONE,
	PRIMARY KEY (user_id),
	UNIQUE (name),
	UNIQUE (token_hash)
);

CREATE TABLE page_sessions (
	session_hash VARCHAR(64) NOT NULL,
	"user" VARCHAR NOT NULL,
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	last_seen_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	expires_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	ended_at TIMESTAMP WITHOUT TIME ZONE,
	PRIMARY KEY (session_hash)
);

CREATE INDEX ix_page_sessions_expires_at ON page_sessions (expires_at);

CREATE TABLE audit_log (
	audit_id INTEGER NOT NULL,
	at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	"user" VARCHAR NOT NULL,
	role VARCHAR NOT NULL,
	placement_id VARCHAR,
	endpoint VARCHAR NOT NULL,
	model_version VARCHAR,
	outcome VARCHAR NOT NULL,
	detail JSON,
	prev_hash VARCHAR(64) NOT NULL,
	hash VARCHAR(64) NOT NULL,
	PRIMARY KEY (audit_id),
	UNIQUE (hash)
);

CREATE INDEX ix_audit_log_user ON audit_log ("user");

CREATE INDEX ix_audit_log_at ON audit_log (at);

CREATE INDEX ix_audit_log_placement_id ON audit_log (placement_id);

CREATE TABLE monitoring_runs (
	run_id SERIAL NOT NULL,
	at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	as_of DATE NOT NULL,
	n_alerts INTEGER NOT NULL,
	result JSON NOT NULL,
	PRIMARY KEY (run_id)
);

CREATE INDEX ix_monitoring_runs_at ON monitoring_runs (at);

CREATE TABLE risk_scores (
	score_id SERIAL NOT NULL,
	list_id INTEGER NOT NULL,
	placement_id VARCHAR NOT NULL,
	team VARCHAR,
	district VARCHAR,
	jobcoach_id VARCHAR,
	tenure_weeks INTEGER NOT NULL,
	risk_13w FLOAT NOT NULL,
	risk_52w FLOAT NOT NULL,
	rank INTEGER NOT NULL,
	explanation JSON NOT NULL,
	features JSON NOT NULL,
	PRIMARY KEY (score_id),
	CONSTRAINT uq_risk_score UNIQUE (list_id, placement_id),
	FOREIGN KEY(list_id) REFERENCES risk_lists (list_id)
);

CREATE INDEX ix_risk_scores_list_id ON risk_scores (list_id);

CREATE INDEX ix_risk_scores_placement_id ON risk_scores (placement_id);

CREATE TABLE risk_curves (
	curve_id SERIAL NOT NULL,
	list_id INTEGER NOT NULL,
	placement_id VARCHAR NOT NULL,
	curve JSON NOT NULL,
	PRIMARY KEY (curve_id),
	CONSTRAINT uq_risk_curve UNIQUE (list_id, placement_id),
	FOREIGN KEY(list_id) REFERENCES risk_lists (list_id)
);

CREATE TABLE actions (
	action_id SERIAL NOT NULL,
	placement_id VARCHAR NOT NULL,
	recorded_by VARCHAR NOT NULL,
	at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	kind VARCHAR NOT NULL,
	intervention VARCHAR,
	reason VARCHAR,
	note VARCHAR,
	list_id INTEGER,
	PRIMARY KEY (action_id),
	FOREIGN KEY(list_id) REFERENCES risk_lists (list_id)
);

CREATE INDEX ix_actions_placement_id ON actions (placement_id);

CREATE TABLE list_samples (
	list_id INTEGER NOT NULL,
	placement_id VARCHAR NOT NULL,
	seed INTEGER NOT NULL,
	CONSTRAINT uq_list_sample UNIQUE (list_id, placement_id),
	FOREIGN KEY(list_id) REFERENCES risk_lists (list_id)
);

CREATE INDEX ix_list_samples_list_id ON list_samples (list_id);
