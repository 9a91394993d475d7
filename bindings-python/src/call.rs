//! One call of the native client: validated and ready to send ([`Job`]), and what it hands
//! back ([`Outcome`]), for the blocking client (`client.rs`) and the asyncio one (`asyncio.rs`).

use std::sync::Arc;

use postcore::bindings;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use serde_json::Value;

use crate::convert;
use crate::errors::{rate_limit, to_py_err};
use crate::observe::{Place, Watchers};

/// One call, validated and ready to send.
pub(crate) struct Job {
    client: postcore::Client,
    call: bindings::Call,
    /// Whether the caller wants the metadata too (`with_raw_response`).
    pub(crate) raw: bool,
    watchers: Option<Arc<Watchers>>,
}

impl Job {
    /// A call of `client`, watched by `watchers` (if any) once it starts.
    pub(crate) fn new(
        client: postcore::Client,
        call: bindings::Call,
        watchers: Option<Arc<Watchers>>,
    ) -> Self {
        Self {
            client,
            call,
            raw: false,
            watchers,
        }
    }

    /// The call, watched from now by the client's hooks and spans (if any), its events
    /// handled at `place`. Called as the call starts, where the caller is: the spans take the
    /// caller's current OpenTelemetry context.
    pub(crate) fn watch(mut self, py: Python<'_>, place: Place) -> PyResult<Self> {
        if let Some(watchers) = self.watchers.take() {
            if let Some(observer) = watchers.start(py, self.call.operation(), place)? {
                self.call = self.call.observed_by(observer);
            }
        }
        Ok(self)
    }

    /// The result of a local operation, now (no request, no runtime); `None`: send it.
    pub(crate) fn local(&self) -> Option<postcore::Result<postcore::Response<Value>>> {
        self.call.local(&self.client)
    }

    pub(crate) async fn run(self) -> postcore::Result<postcore::Response<Value>> {
        self.call.send(&self.client).await
    }
}

/// What a finished call hands back: converted into Python objects (or its exception) only on a
/// thread attached to the interpreter.
pub(crate) struct Outcome {
    pub(crate) result: postcore::Result<postcore::Response<Value>>,
    /// Whether the caller wants the metadata too (`with_raw_response`).
    pub(crate) raw: bool,
}

impl<'py> IntoPyObject<'py> for Outcome {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let response = self.result.map_err(|e| to_py_err(py, &e))?;
        let data = convert::to_py(py, &response.data)?;
        if !self.raw {
            return Ok(data);
        }
        let metadata = [
            data,
            response.status.into_pyobject(py)?.into_any(),
            convert::header_pairs(py, &response.headers)?.into_any(),
            rate_limit(py, response.rate_limit.as_ref())?.into_pyobject(py)?,
            response.attempts.into_pyobject(py)?.into_any(),
        ];
        Ok(PyTuple::new(py, metadata)?.into_any())
    }
}
