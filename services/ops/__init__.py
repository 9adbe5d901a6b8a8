"""Operations behind the `newswire` commands (stats, submit, dead letters, feeds, the database, the
local runner, the demo), apart from the parsing of the command line in services/cli.py and
services/cli_ops.py."""
