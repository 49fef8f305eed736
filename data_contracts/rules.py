"""The rules an export can break, by stable id. Rejections, ingest summaries and the
simulator's fault injection all use these ids, so each can be checked against the others."""

# File level: the whole file is rejected and nothing of it is loaded.
MISSING_FILE = "missing_file"          # neither NAME.csv nor NAME.parquet is there
EMPTY_FILE = "empty_file"              # a 0-byte file
NOT_UTF8 = "not_utf8"                  # a CSV that is not UTF-8 (a byte-order mark is fine)
MISSING_COLUMN = "missing_column"
UNKNOWN_COLUMN = "unknown_column"
UNREADABLE = "unreadable"              # anything else that stops the file being read

# Row level: the row is rejected, the rest of the file loads.
FIELD_COUNT = "field_count"            # a CSV line with the wrong number of fields
REQUIRED = "required"                  # a missing required value
TYPE = "type"                          # a value that does not parse as its type
IMPOSSIBLE_DATE = "impossible_date"    # well-formed but not a calendar date (2025-02-30)
ALLOWED_VALUES = "allowed_values"      # not in the column's code list (case-sensitive)
RANGE = "range"                        # outside the column's range
DUPLICATE_KEY = "duplicate_key"        # a key twice in one file: every row with it is rejected
DATE_ORDER = "date_order"              # e.g. lks_start_date before start_date
LKS_START_WINDOW = "lks_start_window"  # lks_start_date more than 183 days after start_date
PLANNED_END_REQUIRED = "planned_end_required"
UNKNOWN_PARENT = "unknown_parent"      # a foreign key that names no known row
PARENT_REJECTED = "parent_rejected"    # the parent row was rejected in this export
CONFLICTING_VERSION = "conflicting_version"  # same key and registered_at as a stored row, other content

FILE_RULES = (MISSING_FILE, EMPTY_FILE, NOT_UTF8, MISSING_COLUMN, UNKNOWN_COLUMN, UNREADABLE)
ROW_RULES = (
    FIELD_COUNT, REQUIRED, TYPE, IMPOSSIBLE_DATE, ALLOWED_VALUES, RANGE, DUPLICATE_KEY,
    DATE_ORDER, LKS_START_WINDOW, PLANNED_END_REQUIRED, UNKNOWN_PARENT, PARENT_REJECTED,
    CONFLICTING_VERSION,
)
