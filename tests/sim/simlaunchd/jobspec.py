"""A launchd.plist read into an immutable job definition.

launchd keeps the definition it loaded until the job is booted out, so a
JobSpec is read once (at boot or bootstrap) and never refreshed from disk."""

import errno
import os
import plistlib
from dataclasses import dataclass, field

STANDARD_PATH = "/usr/bin:/bin:/usr/sbin:/sbin"
DEFAULT_THROTTLE_INTERVAL = 10
DEFAULT_EXIT_TIMEOUT = 5
MAX_PLIST_BYTES = 1 << 20


class SpecError(Exception):
    """A plist that cannot be loaded; code is the errno launchctl reports."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class JobSpec:
    label: str
    path: str
    program: str | None
    arguments: tuple[str, ...]
    working_directory: str | None = None
    environment: dict = field(default_factory=dict)
    keep_alive: bool | dict = False
    run_at_load: bool = False
    throttle_interval: int = DEFAULT_THROTTLE_INTERVAL
    exit_timeout: int = DEFAULT_EXIT_TIMEOUT
    disabled: bool = False
    stdout_path: str | None = None
    stderr_path: str | None = None
    stdin_path: str | None = None  # StandardInPath: opened as the job's stdin
    abandon_process_group: bool = False
    queue_directories: tuple[str, ...] = ()
    watch_paths: tuple[str, ...] = ()
    session_types: tuple[str, ...] = ()  # LimitLoadToSessionType, as a list
    # The schedule, shown by print and not acted on: StartInterval (None
    # when absent or not a positive integer) and each StartCalendarInterval
    # dictionary, as sorted (key, value) pairs.
    start_interval: int | None = None
    calendar: tuple = ()
    # LaunchOnlyOnce true: the job is removed from its domain once its
    # process exits, however it ends (tests/sim/README.md, Jobs).
    launch_only_once: bool = False

    def background_only(self):
        """LimitLoadToSessionType names only Background: a user/<uid> agent."""
        return bool(self.session_types) and all(t == "Background" for t in self.session_types)

    @property
    def program_text(self):
        """What `print` shows as `program`: Program, else ProgramArguments[0]."""
        return self.program if self.program else self.arguments[0]

    def executable(self):
        """The file to exec: Program when present; else ProgramArguments[0],
        a bare name resolved against the standard PATH as launchd does."""
        if self.program:
            return self.program
        name = self.arguments[0]
        if "/" in name:
            return name
        for d in STANDARD_PATH.split(":"):
            cand = os.path.join(d, name)
            if os.access(cand, os.X_OK) and os.path.isfile(cand):
                return cand
        return name  # exec fails, the job exits 78 like launchd's spawn failure

    def argv(self):
        return list(self.arguments) if self.arguments else [self.program]

    def starts_at_load(self):
        """Whether launchd starts the job as it loads it now: RunAtLoad,
        KeepAlive true, or a KeepAlive dictionary with SuccessfulExit (which
        launchd.plist(5) says implies RunAtLoad) or with a PathState
        condition that holds now (stat of the path, as launchd's
        job_keepalive() checks it), unless the dictionary says
        AfterInitialDemand true. Crashed, OtherJobEnabled and the other
        conditions start nothing at load."""
        if self.run_at_load or self.keep_alive is True:
            return True
        ka = self.keep_alive
        if not isinstance(ka, dict) or ka.get("AfterInitialDemand") is True:
            return False
        if "SuccessfulExit" in ka:
            return True
        return any(os.path.exists(p) == want for p, want in ka.get("PathState", {}).items())


def _typed(d, key, types, default, path):
    value = d.get(key, default)
    if value is not default and not isinstance(value, types):
        raise SpecError(errno.EINVAL, f"{path}: {key} has the wrong type")
    return value


def _ignorable(d, key, types, default):
    """A key launchd ignores when of another type (launchd-842 src/core.c,
    job_import_keys: only the importer of the key's own type knows it)."""
    value = d.get(key, default)
    return value if isinstance(value, types) else default


def _ignorable_int(d, key, low, default):
    """An integer key launchd ignores when of another type or out of
    low..UINT32_MAX (launchd-842 src/core.c, job_import_integer: "%s less
    than zero. Ignoring.", "%s is too large. Ignoring.")."""
    value = d.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value < 2**32:
        return default
    return value


def _string_list(value, key, path):
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SpecError(errno.EINVAL, f"{path}: {key} is not an array of strings")
    return tuple(value)


def _keep_alive(value, path):
    if isinstance(value, bool):
        return value
    if isinstance(value, dict):
        # SuccessfulExit and Crashed decide respawns; SuccessfulExit,
        # PathState and AfterInitialDemand the start at load
        # (starts_at_load). Other conditions (OtherJobEnabled, ...) never
        # fire, nor does a PathState change once the job is loaded.
        kept = {k: v for k, v in value.items() if isinstance(v, bool)}
        paths = value.get("PathState")
        if isinstance(paths, dict):
            kept["PathState"] = {p: v for p, v in paths.items() if isinstance(v, bool)}
        return kept
    # Of another type it is ignored: launchd-842 takes KeepAlive only in
    # job_import_bool and job_import_dictionary (src/core.c).
    return False


def _read(path):
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_PLIST_BYTES + 1)
    except OSError as e:
        raise SpecError(e.errno or errno.EIO, f"{path}: {e.strerror}") from None
    if len(data) > MAX_PLIST_BYTES:
        raise SpecError(errno.EIO, f"{path}: too large")
    try:
        d = plistlib.loads(data)
    except Exception as e:  # plistlib raises several types on garbage
        raise SpecError(errno.EIO, f"{path}: not a property list: {e}") from None
    if not isinstance(d, dict):
        raise SpecError(errno.EIO, f"{path}: not a dictionary")
    return d


def load(path):
    """Read the plist at path (XML or binary). Raises SpecError."""
    d = _read(path)
    label = _typed(d, "Label", str, None, path)
    if not label:
        raise SpecError(errno.EINVAL, f"{path}: no Label")
    args = d.get("ProgramArguments")
    arguments = _string_list(args, "ProgramArguments", path) if args is not None else ()
    program = d.get("Program")
    if program is not None and not isinstance(program, str):
        if args is None:
            raise SpecError(errno.EINVAL, f"{path}: Program has the wrong type")
        # launchd takes Program only when it is a string and runs
        # ProgramArguments[0] otherwise (README.md, Jobs).
        program = None
    if not program and not arguments:
        raise SpecError(errno.EINVAL, f"{path}: neither Program nor ProgramArguments")
    sessions = d.get("LimitLoadToSessionType", ())
    if isinstance(sessions, str):
        sessions = (sessions,)
    elif isinstance(sessions, (list, tuple)):
        sessions = tuple(str(x) for x in sessions)
    else:
        raise SpecError(errno.EINVAL, f"{path}: LimitLoadToSessionType has the wrong type")
    env = _ignorable(d, "EnvironmentVariables", dict, {})
    env = {str(k): str(v) for k, v in env.items() if isinstance(v, str)}
    return JobSpec(
        label=label,
        path=path,
        program=program,
        arguments=arguments,
        working_directory=_ignorable(d, "WorkingDirectory", str, None),
        environment=env,
        keep_alive=_keep_alive(d.get("KeepAlive", False), path),
        run_at_load=_ignorable(d, "RunAtLoad", bool, False),
        throttle_interval=_ignorable_int(d, "ThrottleInterval", 0, DEFAULT_THROTTLE_INTERVAL),
        exit_timeout=_ignorable_int(d, "ExitTimeOut", 0, DEFAULT_EXIT_TIMEOUT),
        disabled=_disabled(d, path),
        stdout_path=_ignorable(d, "StandardOutPath", str, None),
        stderr_path=_ignorable(d, "StandardErrorPath", str, None),
        stdin_path=_ignorable(d, "StandardInPath", str, None),
        abandon_process_group=_ignorable(d, "AbandonProcessGroup", bool, False),
        queue_directories=_path_list(d, "QueueDirectories"),
        watch_paths=_path_list(d, "WatchPaths"),
        session_types=sessions,
        start_interval=_start_interval(d.get("StartInterval")),
        calendar=_calendar(d.get("StartCalendarInterval")),
        launch_only_once=d.get("LaunchOnlyOnce") is True,
    )


# The Mac the simulator stands for, as sysctl hw.machine and hw.model name it.
HW_MACHINE = "arm64"
HW_MODEL = "Mac14,2"


def _disabled(d, path):
    """launchctl's job_disabled_logic (launchd-842 support/launchctl.c): a
    boolean is its value, a type other than a dictionary is not disabled. A
    dictionary disables the job on the machines it names
    (job_disabled_dict_logic): a MachineType or ModelName member (any case)
    whose string is this machine's hw.machine or hw.model (HW_MACHINE,
    HW_MODEL); other members and values are passed over."""
    value = d.get("Disabled", False)
    if isinstance(value, dict):
        hw = {"machinetype": HW_MACHINE, "modelname": HW_MODEL}
        return any(isinstance(v, str) and hw.get(str(k).lower()) == v
                   for k, v in value.items())
    return value if isinstance(value, bool) else False


def _start_interval(value):
    """StartInterval as print shows it; a value launchd would not take is
    not shown (relaunch's own reading of such a plist is what is tested)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**32:
        return value
    return None


# A calendar field's range (launchd-842 src/core.c,
# calendarinterval_new_from_obj_dict_walk; names in any case).
_CALENDAR_RANGE = {"minute": (0, 59), "hour": (0, 23), "day": (1, 31), "weekday": (0, 7),
                   "month": (0, 12)}


def _calendar_entry(e):
    """launchd-842's calendarinterval_new_from_obj: no entry of a member
    that is no dictionary, of one holding a value that is no integer, or a
    field out of its range (a negative one is only logged)."""
    if not isinstance(e, dict):
        return None
    for k, v in e.items():
        if isinstance(v, bool) or not isinstance(v, int):
            return None
        low, high = _CALENDAR_RANGE.get(str(k).lower(), (0, None))
        if v >= 0 and high is not None and not low <= v <= high:
            return None
    return tuple(sorted((str(k), v) for k, v in e.items()))


def _calendar(value):
    entries = [value] if isinstance(value, dict) else value if isinstance(value, list) else []
    return tuple(c for c in map(_calendar_entry, entries) if c is not None)


def _path_list(d, key):
    """WatchPaths, QueueDirectories: launchctl moves either, whatever its
    type, into a com.apple.fsevents.matching event of the job (launchd-842
    support/launchctl.c, distill_fsevents), so the job loads; only the
    strings of an array are paths watched (README.md, Jobs)."""
    value = d.get(key)
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()
