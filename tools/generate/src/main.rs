//! `make generate`: writes each package's typed face from the core's tables
//! (`postcore::spec`): the Python resources and models, the TypeScript resources, argument and
//! model types, and the README's table of operations. `--out DIR` writes them under DIR instead of the repository (what `make lint`
//! does, to compare them with the committed files).

mod markup;
mod python;
mod readme;
mod typescript;

use std::path::PathBuf;
use std::process::ExitCode;

/// Every generated file: its path in the repository and its text.
fn files(root: &std::path::Path) -> Result<Vec<(&'static str, String)>, String> {
    let readme = std::fs::read_to_string(root.join("README.md"))
        .map_err(|e| format!("cannot read README.md: {e}"))?;
    Ok(vec![
        ("README.md", readme::update(&readme)?),
        (
            "bindings-python/python/postcore/_resources.py",
            python::resources(),
        ),
        (
            "bindings-python/python/postcore/_models.py",
            python::models(),
        ),
        ("bindings-node/ts/resources.ts", typescript::resources()),
        ("bindings-node/ts/args.ts", typescript::args()),
        ("bindings-node/ts/models.ts", typescript::models()),
    ])
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut out = root.clone();
    let mut list = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => match args.next() {
                Some(dir) => out = PathBuf::from(dir),
                None => {
                    eprintln!("generate: --out needs a directory");
                    return ExitCode::from(2);
                }
            },
            "--list" => list = true,
            other => {
                eprintln!("generate: unknown argument {other:?} (takes --out DIR, --list)");
                return ExitCode::from(2);
            }
        }
    }
    let files = match files(&root) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("generate: {e}");
            return ExitCode::FAILURE;
        }
    };
    for (path, text) in files {
        if list {
            println!("{path}");
            continue;
        }
        let target = out.join(path);
        let written = target
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&target, text.as_bytes()));
        if let Err(e) = written {
            eprintln!("generate: cannot write {}: {e}", target.display());
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
