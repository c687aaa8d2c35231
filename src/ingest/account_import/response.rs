//! Reading Alibaba Cloud API responses as the aliyun CLI prints them: lists wrapped as
//! `{"Users": {"User": [...]}}`, paging fields beside them, strings in named members.

use super::export::{At, Export, File, Named, UNEXPECTED_SHAPE};
use crate::diagnostic::{Diagnostic, ShapeError};
use crate::json::{self, JsonKind, JsonValue, Object};

/// The members a list response may carry beside its collection: the request id and the
/// paging fields of RAM (`Marker`) and Resource Manager (`PageNumber`) lists.
const PAGING: &[&str] = &[
    "RequestId",
    "IsTruncated",
    "Marker",
    "PageNumber",
    "PageSize",
    "TotalCount",
    "NextToken",
];

/// The code of a list the file holds only part of.
pub(super) const TRUNCATED_LIST: &str = "truncated-list";

/// One item of a list, an object.
pub(super) struct Item<'f> {
    pub(super) object: Object<'f>,
    /// `Users.User[3]`, for messages.
    pub(super) element: String,
}

/// The top-level object of a file; `None`, reported, when it is not an object.
pub(super) fn root<'f>(export: &mut Export, file: &'f File) -> Option<Object<'f>> {
    object(export, file, &file.root, "the response")
}

/// `value` as an object whose member names are each given once; `None`, reported, when it is
/// not an object.
pub(super) fn object<'f>(
    export: &mut Export,
    file: &File,
    value: &'f JsonValue,
    element: &str,
) -> Option<Object<'f>> {
    let mut issues = Vec::new();
    let object = Object::read(value, element, &[], &mut issues);
    for issue in issues {
        file.shape(export, issue);
    }
    object.map_err(|e| file.shape(export, e)).ok()
}

/// The items of the list `collection.item` in a list response. The aliyun CLI prints an empty
/// list in more than one way (UNCONFIRMED which): the wrapper or the list missing, or `null`,
/// all read as empty. A response that the list's wrapper is missing from and that holds
/// anything but paging fields is another response, and an error. So is a list that says it is
/// incomplete (`IsTruncated: true`, or fewer items than `TotalCount`).
pub(super) fn list<'f>(
    export: &mut Export,
    file: &'f File,
    collection: &'static str,
    item: &'static str,
) -> Vec<Item<'f>> {
    let Some(root) = root(export, file) else {
        return Vec::new();
    };
    let values: &[JsonValue] = match root.get(collection) {
        None => {
            if let Some(other) = root.members().find(|m| !PAGING.contains(&m.name.as_str())) {
                export.error(
                    Diagnostic::error(
                        UNEXPECTED_SHAPE,
                        format!(
                            "the response has no `{collection}` but has `{}`: it is not the list this file holds",
                            other.name
                        ),
                    )
                    .with_help(file.expected())
                    .at(&file.source, other.name_span),
                );
            }
            &[]
        }
        Some(wrapper) => match &wrapper.kind {
            JsonKind::Null => &[],
            JsonKind::Object(_) => {
                let Some(wrapper) = object(export, file, wrapper, collection) else {
                    return Vec::new();
                };
                match wrapper.get(item).map(|v| &v.kind) {
                    None | Some(JsonKind::Null) => &[],
                    Some(JsonKind::Array(items)) => items,
                    Some(_) => {
                        let value = wrapper.get(item).unwrap_or(&file.root);
                        file.shape(
                            export,
                            wrong_type(value, &format!("{collection}.{item}"), "an array"),
                        );
                        return Vec::new();
                    }
                }
            }
            _ => {
                file.shape(
                    export,
                    wrong_type(wrapper, collection, "an object holding the list"),
                );
                return Vec::new();
            }
        },
    };
    complete(export, file, &root, values.len());
    let mut items = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let element = format!("{collection}.{item}[{i}]");
        if let Some(object) = object(export, file, value, &element) {
            items.push(Item { object, element });
        }
    }
    items
}

/// Reports a list that says it is incomplete.
fn complete(export: &mut Export, file: &File, root: &Object<'_>, count: usize) {
    if let Some(value) = root.get("IsTruncated")
        && value.kind == JsonKind::Bool(true)
    {
        export.error(
            Diagnostic::error(
                TRUNCATED_LIST,
                "the list is truncated (`IsTruncated` is true): it holds only its first page",
            )
            .with_help(format!(
                "{}; the script follows `Marker` until `IsTruncated` is false",
                file.expected()
            ))
            .at(&file.source, value.span),
        );
    }
    if let Some(value) = root.get("TotalCount") {
        // Resource Manager gives a number; the CLI's pager also reads a numeric string.
        let total = match &value.kind {
            JsonKind::Number(n) => n.parse::<usize>().ok(),
            JsonKind::String(n) => n.parse::<usize>().ok(),
            _ => None,
        };
        match total {
            Some(total) if total > count => export.error(
                Diagnostic::error(
                    TRUNCATED_LIST,
                    format!("the list holds {count} of its {total} items (`TotalCount`)"),
                )
                .with_help(format!(
                    "{}; the script asks for every page until it has `TotalCount` items",
                    file.expected()
                ))
                .at(&file.source, value.span),
            ),
            Some(_) => {}
            None => file.shape(export, wrong_type(value, "TotalCount", "a count of items")),
        }
    }
}

/// The string member `name` of an item, required and not empty.
pub(super) fn text(
    export: &mut Export,
    file: &File,
    item: &Item<'_>,
    name: &'static str,
) -> Option<Named> {
    let Some(value) = item.object.get(name) else {
        file.shape(
            export,
            ShapeError::Missing {
                name,
                span: item.object.opening(),
            },
        );
        return None;
    };
    string(export, file, value, &format!("{}.{name}", item.element))
}

/// The string member `name` of an item, when given (`null` and `""` count as not given).
pub(super) fn optional_text(
    export: &mut Export,
    file: &File,
    item: &Item<'_>,
    name: &'static str,
) -> Option<Named> {
    match item.object.get(name) {
        None => None,
        Some(value) if matches!(&value.kind, JsonKind::Null) => None,
        Some(value) if value.as_str() == Some("") => None,
        Some(value) => string(export, file, value, &format!("{}.{name}", item.element)),
    }
}

/// A non-empty string value.
pub(super) fn string(
    export: &mut Export,
    file: &File,
    value: &JsonValue,
    element: &str,
) -> Option<Named> {
    match json::non_empty_string(value, element) {
        Ok(text) => Some(Named {
            value: text.value,
            at: file.at(text.span),
        }),
        Err(e) => {
            file.shape(export, e);
            None
        }
    }
}

/// A member of an object that must be there: a string.
pub(super) fn required_string(
    export: &mut Export,
    file: &File,
    object: &Object<'_>,
    name: &'static str,
    element: &str,
) -> Option<Named> {
    let element = if element.is_empty() {
        name.to_string()
    } else {
        format!("{element}.{name}")
    };
    match object.required(name) {
        Ok(value) => string(export, file, value, &element),
        Err(e) => {
            file.shape(export, e);
            None
        }
    }
}

fn wrong_type(value: &JsonValue, element: &str, expected: &'static str) -> ShapeError {
    ShapeError::WrongType {
        element: element.to_string(),
        expected,
        found: value.kind.type_name(),
        span: value.span,
    }
}

/// Where `at` points, for diagnostics about the thing an item names.
pub(super) fn located(diagnostic: Diagnostic, at: &At) -> Diagnostic {
    diagnostic.at(&at.source, at.span)
}
