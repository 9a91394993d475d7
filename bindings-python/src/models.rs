//! Values returned to Python.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple, PyType};

/// A postcore profile: one end-user of your app. Store ``profile_key`` with that user.
///
/// Profiles are immutable, compare equal when both fields are equal, are hashable and
/// picklable. ``to_dict()`` gives the API's JSON form (camelCase keys).
#[pyclass(frozen, eq, hash, module = "postcore", name = "Profile")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Profile {
    /// The profile's key, e.g. ``"prof_abc123def456"``.
    #[pyo3(get)]
    profile_key: String,
    /// The name given at creation, or ``None``.
    #[pyo3(get)]
    profile_name: Option<String>,
}

impl From<postcore::Profile> for Profile {
    fn from(p: postcore::Profile) -> Self {
        Self {
            profile_key: p.profile_key,
            profile_name: p.profile_name,
        }
    }
}

#[pymethods]
impl Profile {
    /// Creates a ``Profile`` value (normally returned by ``create_profile``, not built by hand).
    #[new]
    #[pyo3(signature = (profile_key, profile_name = None))]
    fn new(profile_key: String, profile_name: Option<String>) -> Self {
        Self {
            profile_key,
            profile_name,
        }
    }

    /// The profile as the API's JSON object: ``{"profileKey": ..., "profileName": ...}``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("profileKey", &self.profile_key)?;
        dict.set_item("profileName", &self.profile_name)?;
        Ok(dict)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let key = self.profile_key.as_str().into_pyobject(py)?.repr()?;
        let name = match &self.profile_name {
            Some(name) => name.as_str().into_pyobject(py)?.repr()?.to_string(),
            None => "None".to_owned(),
        };
        Ok(format!("Profile(profile_key={key}, profile_name={name})"))
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyType>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let this = slf.get();
        let args = PyTuple::new(
            py,
            [
                this.profile_key.as_str().into_pyobject(py)?.into_any(),
                this.profile_name.as_deref().into_pyobject(py)?,
            ],
        )?;
        Ok((slf.get_type(), args))
    }
}
