//! The calling package's conventions: how it spells names and in which unit it counts time.

use std::time::Duration;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::validate::Names;

/// The calling package's conventions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// `snake_case` arguments, durations in seconds.
    Python,
    /// `camelCase` arguments, durations in milliseconds.
    Node,
}

impl Language {
    /// How this language spells argument names.
    pub fn names(self) -> Names {
        match self {
            Self::Python => Names::SnakeCase,
            Self::Node => Names::CamelCase,
        }
    }

    /// The unit its durations count in, for messages.
    pub(crate) fn unit(self) -> &'static str {
        match self {
            Self::Python => "seconds",
            Self::Node => "milliseconds",
        }
    }

    /// A duration in this language's unit as seconds.
    pub(crate) fn seconds(self, number: f64) -> f64 {
        match self {
            Self::Python => number,
            Self::Node => number / 1000.0,
        }
    }

    /// The number `value` holds, or a type error naming `field` (`null`: not given).
    pub(crate) fn number(self, field: &str, value: &Value, what: &str) -> Result<Option<f64>> {
        match value {
            Value::Null => Ok(None),
            Value::Number(n) => Ok(Some(n.as_f64().unwrap_or(f64::NAN))),
            other => Err(Error::invalid_argument_type(format!(
                "{field} must be {what}, not {}",
                self.type_of(other)
            ))),
        }
    }

    /// A non-negative duration argument named `name` (camelCase), `null` being "not given".
    pub(crate) fn duration(self, name: &str, value: &Value) -> Result<Option<Duration>> {
        let field = self.names().spell(name);
        let unit = self.unit();
        let Some(number) = self.number(&field, value, &format!("a number of {unit}"))? else {
            return Ok(None);
        };
        let seconds = self.seconds(number);
        if !seconds.is_finite() || seconds < 0.0 {
            return Err(Error::invalid_argument(format!(
                "{field} must be a non-negative number of {unit}, got {number}"
            )));
        }
        Duration::try_from_secs_f64(seconds)
            .map(Some)
            .map_err(|_| Error::invalid_argument(format!("{field} is out of range: {number}")))
    }

    /// What `value` is, in this language's terms (`str` / `a string`), for messages.
    pub(crate) fn type_of(self, value: &Value) -> &'static str {
        match (self, value) {
            (Self::Python, Value::Null) => "None",
            (Self::Python, Value::Bool(_)) => "bool",
            (Self::Python, Value::Number(n)) if n.is_f64() => "float",
            (Self::Python, Value::Number(_)) => "int",
            (Self::Python, Value::String(_)) => "str",
            (Self::Python, Value::Array(_)) => "list",
            (Self::Python, Value::Object(_)) => "dict",
            (Self::Node, Value::Null) => "null",
            (Self::Node, Value::Bool(_)) => "a boolean",
            (Self::Node, Value::Number(_)) => "a number",
            (Self::Node, Value::String(_)) => "a string",
            (Self::Node, Value::Array(_)) => "an array",
            (Self::Node, Value::Object(_)) => "an object",
        }
    }
}
