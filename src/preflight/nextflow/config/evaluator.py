"""Resolve a pipeline's configuration as Nextflow would: files, includes, profiles, params.

:func:`resolve_config` reads the files in Nextflow's order, runs each file's statements in
order into one tree (later assignments win, blocks merge), follows ``includeConfig`` relative to
the including file, applies the selected profiles with the parser's rules, and records where
every value came from. The syntax dialect is chosen like Nextflow ≥ 26.04 chooses it, except
that a file only the legacy parser accepts switches the whole run to legacy rules instead of
failing (``syntax="auto"``); ``syntax="v2"`` refuses such a file, ``"v1"`` forces legacy rules.

Legacy (v1) profiles are applied after the whole file, in the order they are defined; strict
(v2) profiles where the ``profiles`` block stands, in command-line order.

Each file is parsed once per text (:mod:`~preflight.nextflow.config.parsed_files`): a second
pass, or a second resolve with the files unchanged (``fix`` proving an edit), reuses the syntax
trees.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from preflight.errors import ConfigError, InputError
from preflight.model import Location
from preflight.nextflow.config.collector import collector_paused
from preflight.nextflow.config.launch_params import launch_params, leaf_keys
from preflight.nextflow.config.names import ExpressionScope, UserFunction, fill
from preflight.nextflow.config.parsed_files import ParsedFile, parsed
from preflight.nextflow.config.profiles import DEFAULT_PROFILE, profile_bodies
from preflight.nextflow.config.resolved import (
    Assignment,
    ConfigSource,
    DynamicEntry,
    ResolvedConfig,
    UnreadInclude,
    display_path,
    join_key,
)
from preflight.nextflow.config.scope import ConfigScope
from preflight.nextflow.config.sensitive import SAFE_SOURCE, SENSITIVE_KEYS
from preflight.nextflow.config.sources import (
    BOM,
    config_files,
    config_text_at,
    decode,
    read_text,
)
from preflight.nextflow.groovy import ast
from preflight.nextflow.groovy.expressions import SECRETS, evaluate, groovy_str, truthy
from preflight.nextflow.groovy.values import Dynamic, first_dynamic
from preflight.pipeline import PipelineSpec
from preflight.secret import REDACTED, Secret

__all__ = [
    "Assignment",
    "ConfigSource",
    "DynamicEntry",
    "ResolvedConfig",
    "UnreadInclude",
    "resolve_config",
]

# Where ``wave.enabled`` comes from when the launch command says ``-with-wave``.
WITH_WAVE = Location("the launch command (-with-wave)", 0)
SYNTAXES = ("auto", "v1", "v2")
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def resolve_config(
    spec: PipelineSpec,
    *,
    syntax: str = "auto",
    overrides: Mapping[Path, bytes] | None = None,
    show_all_profiles: bool = False,
) -> ResolvedConfig:
    """The configuration ``spec``'s run would see, with the origin of every value.

    ``overrides`` replaces the bytes of files (by resolved path) — the editor uses it to prove
    an edit wins before writing it. ``show_all_profiles`` is ``nextflow config -show-profiles``
    (ConfigBuilder's ``showAllProfiles``): no profile is applied, each is kept in the tree under
    ``profiles.<name>``; it cannot be combined with selected profiles. Raises
    ``ConfigError``/``InputError`` (exit 2) for files that cannot be read or parsed, include
    cycles, missing includes and unknown profiles.
    """
    if syntax not in SYNTAXES:
        raise InputError(f"unknown config syntax {syntax!r}", remedy="use auto, v1 or v2")
    if show_all_profiles and spec.profiles:
        raise InputError(
            "-profile cannot be combined with -show-profiles",
            remedy="drop one of them: -show-profiles applies no profile",
        )
    cache: dict[Path, ParsedFile] = {}  # shared by both passes: each file is parsed once
    with collector_paused():
        run = _Run(spec, "v1" if syntax == "v1" else "v2", cache, overrides or {})
        run.show_all_profiles = show_all_profiles
        result = run.execute()
        if syntax == "auto" and run.legacy_seen:
            again = _Run(spec, "v1", cache, overrides or {})
            again.show_all_profiles = show_all_profiles
            result = again.execute()
    if syntax == "v2" and run.legacy_seen:
        location, reason = run.legacy_seen[0]
        raise ConfigError(
            f"{reason} (Nextflow's strict config syntax)",
            where=str(location),
            remedy="rewrite it in the strict syntax, or run Nextflow (and preflight) with "
            "NXF_SYNTAX_PARSER=v1",
        )
    return result


class _Run:
    """One pass over every file; holds the tree being built and the evidence."""

    def __init__(
        self,
        spec: PipelineSpec,
        syntax: str,
        cache: dict[Path, ParsedFile],
        overrides: Mapping[Path, bytes],
    ) -> None:
        self.spec = spec
        self.root = spec.root.resolve()
        self.syntax = syntax
        self.cache = cache
        self.overrides = {p.resolve(): data for p, data in overrides.items()}
        self._resolved: dict[Path, Path] = {}
        self.scope_type: type[ConfigScope] = ConfigScope
        self.tree = ConfigScope()
        self.history: dict[str, list[Assignment]] = {}
        self.dynamic: list[DynamicEntry] = []
        self.files: list[ConfigSource] = []
        self.unread: list[UnreadInclude] = []
        self.known_profiles: dict[str, Location] = {}
        self.selected = spec.profiles or (DEFAULT_PROFILE,)
        self.legacy_seen: list[tuple[Location, str]] = []
        self.stack: list[Path] = []
        self.locals: dict[str, Any] = {}
        self.profile: str | None = None
        self.pending: list[tuple[tuple[str, ...], Any, Location, str]] | None = None
        self.try_depth = 0
        self.show_all_profiles = False
        root = str(spec.root)
        self.fixed_names: dict[str, Any] = {
            "projectDir": root,
            "baseDir": root,
            "launchDir": str(spec.launch_dir or spec.root),
            "secrets": SECRETS,
        }
        self.cli_params = launch_params(spec)
        self.cli_keys = leaf_keys(self.cli_params)
        if self.cli_params:
            params = self.scope_type()
            fill(params, self.cli_params)
            OrderedDict.__setitem__(self.tree, "params", params)

    # -- files
    def execute(self) -> ResolvedConfig:
        def exists(path: Path) -> bool:
            # A default config that is there but is no regular file (a directory) is read,
            # and fails with its place, rather than being skipped in silence.
            return path.exists() or self.resolve(path) in self.overrides

        for path, reason in config_files(self.spec, exists):
            self.files.append(ConfigSource(self.shown(path), reason))
            self.run_file(path, where="")
        if self.spec.with_wave:  # Nextflow applies the option over every file
            self.write(("wave", "enabled"), True, WITH_WAVE)
        known = tuple(self.known_profiles)
        for name in self.spec.profiles:
            if name not in self.known_profiles and name != DEFAULT_PROFILE:
                listing = ", ".join(known) if known else "none are defined"
                first = next(iter(self.known_profiles.values()), None)
                raise InputError(
                    f"unknown configuration profile '{name}'",
                    where=str(first) if first else ", ".join(s.path for s in self.files[:1]),
                    remedy=f"choose among the known profiles: {listing}",
                )
        return ResolvedConfig(
            tree=self.tree,
            files=self.files,
            dynamic=self.dynamic,
            profiles=()
            if self.show_all_profiles
            else tuple(p for p in self.selected if p in self.known_profiles),
            syntax=self.syntax,
            known_profiles=known,
            unread=self.unread,
            history=self.history,
            legacy=self.legacy_seen,
        )

    def shown(self, path: Path) -> str:
        """A file as messages show it: relative to the pipeline when inside it; an in-memory
        text by its name."""
        text = config_text_at(self.spec, path)
        if text is not None:
            return text.name
        return display_path(self.resolve(path), self.root)

    def resolve(self, path: Path) -> Path:
        """``path.resolve()``, once per path and run: each costs a system call per component."""
        resolved = self._resolved.get(path)
        if resolved is None:
            resolved = self._resolved[path] = path.resolve()
        return resolved

    def parse(self, path: Path, where: str) -> ParsedFile:
        resolved = self.resolve(path)
        if resolved not in self.cache:
            shown = self.shown(path)
            in_memory = config_text_at(self.spec, resolved)
            if in_memory is not None:
                text = in_memory.text[1:] if in_memory.text.startswith(BOM) else in_memory.text
            elif resolved in self.overrides:
                text = decode(self.overrides[resolved], shown)
            else:
                text = read_text(path, shown, where)
            self.cache[resolved] = parsed(text, shown)
        return self.cache[resolved]

    def run_file(self, path: Path, where: str, prefix: tuple[str, ...] = ()) -> None:
        resolved = self.resolve(path)
        if resolved in self.stack:
            chain = " → ".join(self.shown(p) for p in [*self.stack, resolved])
            raise ConfigError(
                f"include cycle: {chain}",
                where=where or self.shown(path),
                remedy="remove the includeConfig that closes the cycle",
            )
        config, violations = self.parse(path, where)
        self.legacy_seen.extend(violations)
        self.stack.append(resolved)
        saved_locals, self.locals = self.locals, {}
        top_level = len(self.stack) == 1
        if top_level and self.syntax == "v1":
            self.pending = []
        try:
            self.run(config.statements, prefix)
            if top_level and self.pending is not None:
                pending, self.pending = self.pending, None
                for path_parts, value, location, profile in pending:
                    self.profile = profile
                    self.write(path_parts, value, location)
                self.profile = None
        finally:
            self.stack.pop()
            self.locals = saved_locals
            if top_level:
                self.pending = None

    # -- statements
    def run(self, statements: tuple[ast.Stmt, ...], prefix: tuple[str, ...]) -> None:
        for stmt in statements:
            self.statement(stmt, prefix)

    def statement(self, stmt: ast.Stmt, prefix: tuple[str, ...]) -> None:
        if isinstance(stmt, ast.Assign):
            if not prefix and stmt.path[0] == "profiles" and len(stmt.path) > 2:
                self.profiles_block(
                    (ast.Assign(stmt.location, stmt.path[1:], stmt.value, stmt.value_span),),
                    stmt.location,
                )
                return
            value = self.value(stmt.value)
            if isinstance(value, Dynamic):
                source = self.source_of(stmt)
                if stmt.path[-1] in SENSITIVE_KEYS and not SAFE_SOURCE.fullmatch(source):
                    source = REDACTED  # the text itself may hold part of a credential
                value = Dynamic(value.reason, value.location, source)
            if stmt.op != "=":
                value = Dynamic(
                    f"'{stmt.op}' computes from the previous value at run time",
                    stmt.location,
                    stmt.op,
                )
            self.write(prefix + stmt.path, value, stmt.location)
        elif isinstance(stmt, ast.Block):
            if not prefix and stmt.path[0] == "profiles":
                body = stmt.body
                if len(stmt.path) > 1:
                    body = (ast.Block(stmt.location, stmt.path[1:], stmt.body, stmt.span),)
                self.profiles_block(body, stmt.location)
                return
            self.ensure_scope(prefix + stmt.path, stmt.location)
            self.run(stmt.body, prefix + stmt.path)
        elif isinstance(stmt, ast.Selector):
            self.ensure_scope((*prefix, stmt.key), stmt.location)
            self.run(stmt.body, (*prefix, stmt.key))
        elif isinstance(stmt, ast.IncludeConfig):
            self.include(stmt, prefix)
        elif isinstance(stmt, ast.Plugins):
            self.write(("plugins",), [self.value(i) for i in stmt.ids], stmt.location)
        elif isinstance(stmt, ast.If):
            self.if_statement(stmt, prefix)
        elif isinstance(stmt, ast.Try):
            self.try_statement(stmt, prefix)
        elif isinstance(stmt, ast.VarDecl):
            self.locals[stmt.name] = None if stmt.value is None else self.value(stmt.value)
        elif isinstance(stmt, ast.FunctionDef):
            self.locals[stmt.name] = UserFunction(stmt)
        # expression statements (println …), return and skipped Groovy change no setting

    def source_of(self, stmt: ast.Assign) -> str:
        """The assigned expression as the user wrote it."""
        start, end = stmt.value_span
        parsed = self.cache.get(self.stack[-1]) if self.stack else None
        config = parsed.config if parsed is not None else None
        text = config.text[start:end] if config is not None and end > start else ""
        return " ".join(text.split()) if len(text) < 200 else " ".join(text[:197].split()) + "…"

    def profiles_block(self, body: tuple[ast.Stmt, ...], location: Location) -> None:
        defined = profile_bodies(body)
        for name, _, where in defined:
            self.known_profiles.setdefault(name, where)
        if self.show_all_profiles:  # each kept under profiles.<name>, none applied
            saved = self.profile
            self.profile = None
            try:
                for name, profile_body, _ in defined:
                    self.ensure_scope(("profiles", name), location)
                    self.run(profile_body, ("profiles", name))
            finally:
                self.profile = saved
            return
        if self.syntax == "v2":
            order = [(n, b) for wanted in self.selected for (n, b, _) in defined if n == wanted]
        else:
            order = [(n, b) for (n, b, _) in defined if n in self.selected]
        for name, profile_body in order:
            saved, self.profile = self.profile, name
            try:
                self.run(profile_body, ())
            finally:
                self.profile = saved

    def include(self, stmt: ast.IncludeConfig, prefix: tuple[str, ...]) -> None:
        target = self.value(stmt.target)
        current = self.stack[-1]
        if isinstance(target, Dynamic):
            self.unread.append(
                UnreadInclude(
                    stmt.source or target.source,
                    stmt.location,
                    f"the path is dynamic: {target.reason}",
                )
            )
            return
        if not isinstance(target, str) or not target.strip():
            raise ConfigError(
                f"includeConfig needs a file path, got {groovy_str(target)}",
                where=str(stmt.location),
                remedy="give a path relative to this file, or '/dev/null'",
            )
        if target == "/dev/null":
            return
        if _URL.match(target) and not target.startswith("file://"):
            self.unread.append(
                UnreadInclude(target, stmt.location, "a remote config; preflight reads no network")
            )
            return
        path = Path(target[len("file://") :] if target.startswith("file://") else target)
        if not path.is_absolute():
            path = current.parent / path
        if not path.is_file() and self.resolve(path) not in self.overrides:
            if self.try_depth:
                self.unread.append(
                    UnreadInclude(
                        target, stmt.location, "missing; the failure is caught by try/catch"
                    )
                )
                return
            raise ConfigError(
                f"includeConfig '{target}': no such file ({self.shown(path)})",
                where=str(stmt.location),
                remedy="create the file, fix the path (it is relative to the including file), "
                "or remove the include",
            )
        self.files.append(ConfigSource(self.shown(path), f"includeConfig from {stmt.location}"))
        self.run_file(path, str(stmt.location), prefix)

    def if_statement(self, stmt: ast.If, prefix: tuple[str, ...]) -> None:
        condition = self.value(stmt.condition)
        if isinstance(condition, Dynamic):
            self.dynamic.append(
                DynamicEntry(
                    f"if ({condition.source})",
                    stmt.location,
                    f"neither branch applied: the condition is dynamic ({condition.reason})",
                )
            )
            return
        self.run(stmt.then if truthy(condition) else stmt.otherwise, prefix)

    def try_statement(self, stmt: ast.Try, prefix: tuple[str, ...]) -> None:
        self.try_depth += 1
        try:
            self.run(stmt.body, prefix)
        except ConfigError as error:
            self.unread.append(
                UnreadInclude(
                    "try", stmt.location, f"failed and caught by try/catch: {error.message}"
                )
            )
        finally:
            self.try_depth -= 1
        self.run(stmt.final, prefix)

    # -- values
    def value(self, expr: ast.Expr) -> Any:
        if type(expr) is ast.Literal:  # most settings: no name to look up, no scope to build
            return expr.value
        return evaluate(expr, ExpressionScope(self))

    def ensure_scope(self, path: tuple[str, ...], location: Location) -> None:
        """Create the scope for ``a { }`` so that an empty block still shows."""
        if self.pending is not None and self.profile is not None:
            return
        node = self.tree
        for part in path:
            child: Any = dict.get(node, part)
            if not isinstance(child, self.scope_type):
                child = self.scope_type()
                OrderedDict.__setitem__(node, part, child)
            node = child

    def write(self, path: tuple[str, ...], value: Any, location: Location) -> None:
        if self.pending is not None and self.profile is not None:
            self.pending.append((path, value, location, self.profile))
            return
        if self.cli_keys and path[0] == "params" and ".".join(path[1:]) in self.cli_keys:
            return  # a launch parameter beats the config's own value
        if path[-1] in SENSITIVE_KEYS and isinstance(value, str) and value:
            value = Secret(value)
        node = self.tree
        for part in path[:-1]:
            child: Any = dict.get(node, part)
            if not isinstance(child, self.scope_type):
                replacement = self.scope_type()
                if isinstance(child, Mapping):
                    fill(replacement, child)
                child = replacement
                OrderedDict.__setitem__(node, part, child)
            node = child
        if isinstance(value, dict) and path[0] == "params":
            converted = self.scope_type()
            fill(converted, value)
            value = converted
        OrderedDict.__setitem__(node, path[-1], value)
        key = join_key(path)
        self.history.setdefault(key, []).append(Assignment(key, location, value, self.profile))
        dynamic = first_dynamic(value)
        if dynamic is not None:
            reason = dynamic.reason
            if dynamic.location != location:
                reason += f" (at {dynamic.location})"
            self.dynamic.append(DynamicEntry(key, location, reason))
