"""The import mode options of the commands that write indicator values (``import_indicators``,
``fetch_cbs``): ``--merge`` or ``--replace``; without either the command only checks."""

from scores.models import ScoreImport


def add_mode_arguments(parser, *, merge_help: str, replace_help: str) -> None:
    """``--merge`` and ``--replace`` (one of them), into ``mode``; ``check`` when neither."""
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--merge", dest="mode", action="store_const", const=ScoreImport.Mode.MERGE, help=merge_help
    )
    mode.add_argument(
        "--replace", dest="mode", action="store_const", const=ScoreImport.Mode.REPLACE, help=replace_help
    )
    parser.set_defaults(mode=ScoreImport.Mode.CHECK)
