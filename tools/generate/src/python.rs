//! The Python package's typed face: `_resources.py` (every method in its blocking, asyncio
//! and two raw forms) and `_models.py` (the model classes), from the core's tables. The
//! machinery they use is written by hand: `_resource.py` and `_model.py`.

use postcore::bindings::{Language, OptionSet};
use postcore::spec::{self, ModelSpec, Operation, ParamType, Presence, Returns};

use crate::markup::{Lang, render, wrap};

const WIDTH: usize = 100;

/// A docstring at `indent`, from paragraphs already rendered.
fn docstring(text: &str, indent: &str) -> String {
    let lines = wrap(text, WIDTH - 3, &format!("{indent}\"\"\""), indent);
    let mut out = lines.join("\n");
    if lines.len() == 1 && out.len() + 3 <= WIDTH {
        out.push_str("\"\"\"");
    } else {
        out.push('\n');
        out.push_str(indent);
        out.push_str("\"\"\"");
    }
    // Lines of blank paragraphs carry no indentation.
    out.lines()
        .map(|l| if l.trim().is_empty() { "" } else { l })
        .collect::<Vec<_>>()
        .join("\n")
}

fn param_type(ty: ParamType) -> &'static str {
    match ty {
        ParamType::Text => "str",
        ParamType::Texts | ParamType::Platforms => "Sequence[str]",
        ParamType::Time => "datetime",
        ParamType::Duration => "float",
    }
}

fn option_type(name: &str) -> &'static str {
    match name {
        "max_retries" => "int | None = None",
        "extra_headers" => "Mapping[str, str] | None = None",
        _ => "float | None = None",
    }
}

/// The per-call options the method takes by keyword: the request options, less those it
/// takes as arguments (`posts.wait`'s `timeout`).
fn options(op: &Operation) -> Vec<&'static str> {
    if !op.options {
        return Vec::new();
    }
    OptionSet::Request
        .names(Language::Python)
        .iter()
        .copied()
        .filter(|name| !op.params.iter().any(|p| p.name == *name))
        .collect()
}

fn result_type(op: &Operation) -> String {
    match op.returns {
        Returns::One(model) => model.to_owned(),
        Returns::Many(model) => format!("builtins.list[{model}]"),
        Returns::Nothing => "None".to_owned(),
        Returns::Text => "str".to_owned(),
    }
}

fn parser(op: &Operation) -> String {
    let base = match op.returns {
        Returns::One(model) => format!("{model}.from_dict"),
        Returns::Many(model) => format!("_many({model}.from_dict)"),
        Returns::Nothing => "_nothing".to_owned(),
        Returns::Text => "str".to_owned(),
    };
    if op.fills.is_empty() {
        return base;
    }
    let values: Vec<String> = op.fills.iter().map(|f| format!("\"{f}\": {f}")).collect();
    format!(
        "lambda data: _fill({base}(data), {{{}}})",
        values.join(", ")
    )
}

fn signature(op: &Operation, returns: &str) -> String {
    let mut out = format!("    def {}(\n        self,\n", op.method_name());
    for p in op.params {
        let ty = param_type(p.ty);
        if p.required {
            out.push_str(&format!("        {}: {ty},\n", p.name));
        } else {
            out.push_str(&format!("        {}: {ty} | None = None,\n", p.name));
        }
    }
    let options = options(op);
    if op.keyed || !options.is_empty() {
        out.push_str("        *,\n");
    }
    if op.keyed {
        out.push_str("        idempotency_key: str | None = None,\n");
    }
    for name in options {
        out.push_str(&format!("        {name}: {},\n", option_type(name)));
    }
    out.push_str(&format!("    ) -> {returns}:\n"));
    out
}

fn method_doc(op: &Operation) -> String {
    let mut text = render(op.doc, Lang::Python);
    let mut args: Vec<(String, String)> = op
        .params
        .iter()
        .map(|p| (p.name.to_owned(), render(p.doc, Lang::Python)))
        .collect();
    if op.keyed {
        args.push((
            "idempotency_key".into(),
            render(spec::IDEMPOTENCY_KEY_DOC, Lang::Python),
        ));
    }
    let mut sections = String::new();
    let section = |title: &str, items: &[(String, String)]| -> String {
        let mut s = format!("{title}:");
        for (name, doc) in items {
            let first = format!("    {name}: ");
            let lines = wrap(doc, WIDTH - 8, &first, "        ");
            for line in lines {
                s.push('\n');
                s.push_str(&line);
            }
        }
        s
    };
    if !args.is_empty() {
        sections.push_str(&section("Args", &args));
    }
    if !op.returns_doc.is_empty() {
        if !sections.is_empty() {
            sections.push_str("\n\n");
        }
        let lines = wrap(
            &render(op.returns_doc, Lang::Python),
            WIDTH - 8,
            "    ",
            "    ",
        );
        sections.push_str("Returns:\n");
        sections.push_str(&lines.join("\n"));
    }
    if !op.raises.is_empty() {
        if !sections.is_empty() {
            sections.push_str("\n\n");
        }
        let items: Vec<(String, String)> = op
            .raises
            .iter()
            .map(|(class, doc)| ((*class).to_owned(), render(doc, Lang::Python)))
            .collect();
        sections.push_str(&section("Raises", &items));
    }
    // Sections keep their own line breaks: wrap the prose, then append them as they are.
    let mut out = wrap(&text, WIDTH - 8, "        \"\"\"", "        ").join("\n");
    if !sections.is_empty() {
        out.push_str("\n\n");
        for line in sections.lines() {
            if line.is_empty() {
                out.push('\n');
            } else {
                out.push_str("        ");
                out.push_str(line);
                out.push('\n');
            }
        }
        out.pop();
    }
    if !op.note.is_empty() {
        text = render(op.note, Lang::Python);
        out.push_str("\n\n");
        out.push_str(&wrap(&text, WIDTH - 8, "        ", "        ").join("\n"));
    }
    let single = !out.contains('\n') && out.len() + 3 <= WIDTH;
    if single {
        out.push_str("\"\"\"");
    } else {
        out.push_str("\n        \"\"\"");
    }
    out.lines()
        .map(|l| if l.trim().is_empty() { "" } else { l })
        .collect::<Vec<_>>()
        .join("\n")
}

fn arguments(op: &Operation) -> String {
    let mut items: Vec<String> = op
        .params
        .iter()
        .map(|p| format!("\"{0}\": {0}", p.name))
        .collect();
    if op.keyed {
        items.push("\"idempotency_key\": idempotency_key".into());
    }
    format!("{{{}}}", items.join(", "))
}

fn body(op: &Operation) -> String {
    if op.is_local() {
        return format!(
            "        return self._local(\"{}\", {})\n",
            op.name,
            arguments(op)
        );
    }
    let per_call: Vec<&str> = OptionSet::Request
        .names(Language::Python)
        .iter()
        .map(|name| {
            if op.params.iter().any(|p| p.name == *name) {
                "None"
            } else {
                name
            }
        })
        .collect();
    format!(
        "        return self._call(\n            \"{}\",\n            {},\n            {},\n            {},\n        )\n",
        op.name,
        parser(op),
        arguments(op),
        per_call.join(", ")
    )
}

fn methods(resource: &str) -> impl Iterator<Item = &'static Operation> + '_ {
    spec::OPERATIONS
        .iter()
        .filter(move |op| op.method && op.resource() == resource)
}

/// `_resources.py`.
pub fn resources() -> String {
    let mut out = String::from(RESOURCES_HEADER);
    for resource in spec::RESOURCES {
        let class = resource.class;
        out.push_str(&format!(
            "\n\n# {}\n\n\nclass {class}(_SyncResource):\n{}\n",
            "-".repeat(70),
            docstring(&render(resource.doc, Lang::Python), "    ")
        ));
        for op in methods(resource.name) {
            out.push('\n');
            out.push_str(&signature(op, &result_type(op)));
            out.push_str(&method_doc(op));
            out.push('\n');
            out.push_str(&body(op));
        }
        out.push_str(&format!(
            "\n\nclass Async{class}(_AsyncResource):\n    \"\"\"{} as coroutines (see :class:`{class}`).\"\"\"\n",
            class
        ));
        for op in methods(resource.name) {
            let returns = if op.is_local() {
                result_type(op)
            } else {
                format!("Coroutine[Any, Any, {}]", result_type(op))
            };
            out.push_str(&format!("\n    @_doc({class}.{})\n", op.method_name()));
            out.push_str(&signature(op, &returns));
            out.push_str(&body(op));
        }
    }
    out.push_str(RAW_HEADER);
    for resource in spec::RESOURCES {
        let class = resource.class;
        for (prefix, wrapper, raw_doc) in [
            (
                "",
                "_with_response",
                format!("``client.with_raw_response.{}``", resource.name),
            ),
            (
                "Async",
                "_async_with_response",
                format!("``AsyncPostcore.with_raw_response.{}``", resource.name),
            ),
        ] {
            let base = if prefix.is_empty() {
                "_SyncResource"
            } else {
                "_AsyncResource"
            };
            let doc = format!(
                "{raw_doc}: :class:`{prefix}{class}`' methods returning an :class:`APIResponse` \
                 (for a wait: the last poll's response, with ``attempts`` counting every \
                 request of the wait; a method that makes no request returns its value)."
            );
            out.push_str(&format!(
                "\n\nclass {prefix}{class}WithRawResponse({base}):\n{}\n\n    _raw = True\n",
                docstring(&doc, "    ")
            ));
            for op in methods(resource.name) {
                let name = op.method_name();
                if op.is_local() {
                    out.push_str(&format!("    {name} = {prefix}{class}.{name}\n"));
                } else {
                    out.push_str(&format!("    {name} = {wrapper}({prefix}{class}.{name})\n"));
                }
            }
        }
    }
    let mut names: Vec<String> = Vec::new();
    for resource in spec::RESOURCES {
        for prefix in ["", "Async"] {
            names.push(format!("{prefix}{}", resource.class));
            names.push(format!("{prefix}{}WithRawResponse", resource.class));
        }
    }
    names.sort();
    let all: Vec<String> = names.iter().map(|n| format!("    \"{n}\",")).collect();
    out.replace("__ALL__", &all.join("\n"))
}

const RESOURCES_HEADER: &str = r#"# Generated by `make generate` (tools/generate) from the core's tables (core/src/spec.rs):
# do not edit; `make lint` fails when it is stale.
"""The API's resources: ``client.profiles`` and ``client.posts``.

Each method is a typed signature with a docstring that forwards to one generic ``_call``
(``_resource.py``): the operation's name, how to read its result, and its arguments by their
Python names. The native module passes them to the Rust core, which validates them, sends the
request and decodes the answer. :class:`Profiles` / :class:`Posts` block; :class:`AsyncProfiles`
/ :class:`AsyncPosts` are the same as native coroutines; ``client.with_raw_response.<resource>``
runs the very same methods with ``_raw`` set, which makes ``_call`` return an
:class:`APIResponse` (the ``*WithRawResponse`` classes declare that return type).
"""

from __future__ import annotations

import builtins
from collections.abc import Coroutine, Mapping, Sequence
from datetime import datetime
from typing import Any

from ._model import _fill, _many
from ._models import Connection, Post, Profile, ScheduledPosts
from ._resource import (
    _async_with_response,
    _AsyncResource,
    _doc,
    _nothing,
    _SyncResource,
    _with_response,
)

__all__ = [
__ALL__
]
"#;

const RAW_HEADER: &str =
    "\n\n# ------------------------------------------------------------------- with_raw_response\n";

// ------------------------------------------------------------------------------ models

struct PyField {
    name: String,
    json: &'static str,
    annotation: String,
    init: String,
    value: String,
    codec: Option<String>,
    required: bool,
    doc: String,
}

fn is_model(name: &str) -> bool {
    spec::models().iter().any(|m| m.name == name)
}

fn inner(rust: &str, wrapper: &str) -> Option<String> {
    rust.strip_prefix(&format!("{wrapper}<"))
        .and_then(|rest| rest.strip_suffix('>'))
        .map(str::to_owned)
}

fn scalar(rust: &str) -> &'static str {
    match rust {
        "Timestamp" => "datetime",
        "bool" => "bool",
        "i64" | "u64" | "u32" | "i32" => "int",
        _ => "str",
    }
}

fn py_field(field: &postcore::spec::FieldSpec) -> PyField {
    let rust: String = field
        .rust_type
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let name = postcore::bindings::camel_to_snake(field.name);
    let option = inner(&rust, "Option");
    let vec = inner(&rust, "Vec");
    let base = option
        .clone()
        .or_else(|| vec.clone())
        .unwrap_or_else(|| rust.clone());
    let ty = if is_model(&base) {
        base.clone()
    } else {
        scalar(&base).to_owned()
    };
    let codec = if base == "Timestamp" {
        Some("_TIMESTAMP".to_owned())
    } else if is_model(&base) && vec.is_some() {
        Some(format!("_nested({base}.from_dict, many=True)"))
    } else if is_model(&base) {
        Some(format!("_nested({base}.from_dict)"))
    } else if rust == "bool" {
        Some("_BOOL".to_owned())
    } else {
        None
    };
    let always = field.presence == Presence::Always;
    let (annotation, init, value) = if vec.is_some() {
        (
            format!("tuple[{ty}, ...]"),
            format!("{name}: Iterable[{ty}] = ()"),
            format!("tuple({name})"),
        )
    } else if rust == "bool" {
        (
            "bool".into(),
            format!("{name}: bool = False"),
            format!("bool({name})"),
        )
    } else if option.is_some() && always {
        (
            ty.clone(),
            format!("{name}: {ty} | None = None"),
            format!("_ABSENT if {name} is None else {name}"),
        )
    } else if option.is_some() {
        (
            format!("{ty} | None"),
            format!("{name}: {ty} | None = None"),
            name.clone(),
        )
    } else {
        (ty.clone(), format!("{name}: {ty}"), name.clone())
    };
    let required = matches!(field.presence, Presence::Required | Presence::Always)
        || (option.is_none() && vec.is_none() && rust != "bool");
    PyField {
        json: field.name,
        annotation,
        init,
        value,
        codec,
        required,
        doc: render(field.doc, Lang::Python),
        name,
    }
}

/// The models in an order where each comes after the models its fields hold.
fn ordered() -> Vec<ModelSpec> {
    let mut left = spec::models();
    let mut done: Vec<ModelSpec> = Vec::new();
    while !left.is_empty() {
        let ready = left
            .iter()
            .position(|m| {
                m.fields.iter().all(|f| {
                    let holds = spec::models()
                        .into_iter()
                        .filter(|other| other.name != m.name)
                        .find(|other| f.rust_type.contains(other.name));
                    holds.is_none_or(|other| done.iter().any(|d| d.name == other.name))
                })
            })
            .unwrap_or(0);
        done.push(left.remove(ready));
    }
    done
}

/// `_models.py`.
pub fn models() -> String {
    let mut out = String::from(MODELS_HEADER);
    let mut names: Vec<&str> = spec::models().iter().map(|m| m.name).collect();
    names.sort_unstable();
    let all: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    out = out.replace("__ALL__", &all.join(", "));
    for model in ordered() {
        let fields: Vec<PyField> = model.fields.iter().map(py_field).collect();
        // Constructor order: the fields a model needs first, each group in declaration order.
        let (mut order, rest): (Vec<&PyField>, Vec<&PyField>) = fields
            .iter()
            .partition(|f| f.required && !f.init.contains('='));
        order.extend(rest);
        let mut options: Vec<String> = Vec::new();
        let codecs: Vec<String> = order
            .iter()
            .filter_map(|f| f.codec.as_ref().map(|c| format!("\"{}\": {c}", f.name)))
            .collect();
        if !codecs.is_empty() {
            options.push(format!("codecs={{{}}}", codecs.join(", ")));
        }
        let required: Vec<String> = order
            .iter()
            .filter(|f| f.required)
            .map(|f| format!("\"{}\"", f.name))
            .collect();
        if !required.is_empty() {
            options.push(format!("required=({},)", required.join(", ")));
        }
        let bases = std::iter::once("_Model".to_owned())
            .chain(options)
            .collect::<Vec<_>>();
        out.push_str(&format!(
            "\n\nclass {}({}):\n{}\n\n",
            model.name,
            bases.join(", "),
            docstring(&render(model.doc, Lang::Python), "    ")
        ));
        let mut slots: Vec<String> = order.iter().map(|f| format!("\"{}\"", f.name)).collect();
        slots.sort();
        out.push_str(&format!("    __slots__ = ({},)\n", slots.join(", ")));
        for f in &order {
            debug_assert!(!f.json.is_empty());
            out.push_str(&format!("    {}: {}\n", f.name, f.annotation));
            out.push_str(&docstring(&f.doc, "    "));
            out.push('\n');
        }
        out.push_str("\n    def __init__(\n        self,\n");
        for f in &order {
            out.push_str(&format!("        {},\n", f.init));
        }
        out.push_str("        extra: Mapping[str, Any] | None = None,\n    ) -> None:\n");
        let values: Vec<String> = order
            .iter()
            .map(|f| format!("(\"{}\", {})", f.name, f.value))
            .collect();
        out.push_str(&format!(
            "        self._init(({},), extra)\n",
            values.join(", ")
        ));
    }
    out
}

const MODELS_HEADER: &str = r#"# Generated by `make generate` (tools/generate) from the core's models (core/src/models.rs):
# do not edit; `make lint` fails when it is stale.
"""The values the API returns: :class:`Profile`, :class:`ConnectedPlatform`,
:class:`Connection`, :class:`Post`, :class:`Usage` and :class:`ScheduledPosts`.

Each is immutable, equal by value, hashable and picklable. Timestamps are timezone-aware
``datetime`` objects in UTC. ``to_dict()`` gives the API's camelCase JSON exactly as the server
sent it: **fields this version of the SDK does not know yet** are kept (in ``extra``, left out
of equality, hashing and the repr), and fields the server did not send are left out (not
written as ``None``), as openai-python's ``to_dict()`` does. A model built by hand
(``Profile(...)``) has every field.

Attributes stay convenient: a field the server left out reads as ``None`` (or empty) when its
type allows it. A field typed without ``None`` is always in the documented answer; should a
server leave it out, reading it raises ``AttributeError`` saying so (the answer itself is kept
as sent: test with ``"usage" in scheduled.to_dict()``). What every model shares is in
``_model.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ._model import _ABSENT, _BOOL, _TIMESTAMP, _Model, _nested

__all__ = [__ALL__]
"#;
