//! What ActionTrail's `serviceName` means to RAM: the RAM code an event's action is authorized
//! under, and, per action, the resource it is authorized on. Only what Alibaba Cloud documents
//! is here (sources in docs/actiontrail.md); anything else is an error, never a guess.

use super::error::{EventError, Kind};
use super::fields::Node;
use crate::request::ANY_RESOURCE;

/// A service as ActionTrail's `serviceName` names it (the OpenAPI product code), with its RAM
/// code and the resources of its actions.
#[derive(Debug)]
pub(super) struct Service {
    /// The `serviceName`, as documented; matched ignoring ASCII case.
    pub(super) service_name: &'static str,
    /// The RAM code its actions are authorized under (`kvstore:RestoreInstance`).
    pub(super) ram_code: &'static str,
    /// Actions whose resource is documented.
    actions: &'static [(&'static str, Resource)],
    /// The resource of every other action, when the service documents one for all of them.
    otherwise: Option<Resource>,
}

/// How the resource of an action is found in its event.
#[derive(Debug, Clone, Copy)]
enum Resource {
    /// The action cannot be authorized at the resource level ("All Resources"): `*`.
    Any,
    /// The resource a request parameter names:
    /// `acs:<ram-code>:<acsRegion>:<account>:<resource_type>/<id>`.
    Named {
        parameter: &'static str,
        resource_type: &'static str,
    },
    /// A comma-separated list of ids in a request parameter, for a listing action: none gives
    /// `…:<resource_type>/*` (the listing), one gives that resource, more are refused.
    Listed {
        parameter: &'static str,
        resource_type: &'static str,
    },
}

/// `kvstore` (Redis / Tair): one resource type, `instance`, named by `InstanceId`. ActionTrail's
/// `serviceName` for it is the OpenAPI product code `R-kvstore` (UNCONFIRMED: no event seen).
const KVSTORE: Service = Service {
    service_name: "R-kvstore",
    ram_code: "kvstore",
    actions: &[
        // No authorization information disclosed: requested on `*`, as RAM's "All Resources".
        ("DescribeRegions", Resource::Any),
        ("DescribeHistoryEvents", Resource::Any),
        ("ModifyEventInfo", Resource::Any),
        (
            "DescribeInstances",
            Resource::Listed {
                parameter: "InstanceIds",
                resource_type: "instance",
            },
        ),
    ],
    otherwise: Some(Resource::Named {
        parameter: "InstanceId",
        resource_type: "instance",
    }),
};

const ECS_INSTANCE: Resource = Resource::Named {
    parameter: "InstanceId",
    resource_type: "instance",
};

const ECS: Service = Service {
    service_name: "Ecs",
    ram_code: "ecs",
    actions: &[
        ("StartInstance", ECS_INSTANCE),
        ("StopInstance", ECS_INSTANCE),
        ("RebootInstance", ECS_INSTANCE),
        ("DeleteInstance", ECS_INSTANCE),
        (
            "DeleteDisk",
            Resource::Named {
                parameter: "DiskId",
                resource_type: "disk",
            },
        ),
    ],
    otherwise: None,
};

const RDS_INSTANCE: Resource = Resource::Named {
    parameter: "DBInstanceId",
    resource_type: "dbinstance",
};

const RDS: Service = Service {
    service_name: "Rds",
    ram_code: "rds",
    actions: &[
        ("RestartDBInstance", RDS_INSTANCE),
        ("DescribeDBInstanceAttribute", RDS_INSTANCE),
    ],
    otherwise: None,
};

/// A service whose RAM code is known but none of whose resources is mapped.
const fn code_only(service_name: &'static str, ram_code: &'static str) -> Service {
    Service {
        service_name,
        ram_code,
        actions: &[],
        otherwise: None,
    }
}

/// Every service ramguard knows, in the order docs/actiontrail.md lists them.
pub(super) const SERVICES: &[Service] = &[
    KVSTORE,
    ECS,
    RDS,
    code_only("Oss", "oss"),
    code_only("Ram", "ram"),
    // IMS, RAM's newer identity API, is authorized as `ram:` (UNCONFIRMED).
    code_only("Ims", "ram"),
    code_only("Sts", "sts"),
    code_only("Actiontrail", "actiontrail"),
    code_only("ResourceManager", "resourcemanager"),
];

/// The service ActionTrail names `service_name`, matched ignoring ASCII case.
///
/// # Errors
/// `unknown-service`: ramguard does not know its RAM code.
pub(super) fn service(service_name: &str) -> Result<&'static Service, EventError> {
    SERVICES
        .iter()
        .find(|s| s.service_name.eq_ignore_ascii_case(service_name))
        .ok_or_else(|| {
            let known: Vec<String> = SERVICES
                .iter()
                .map(|s| format!("`{}`", s.service_name))
                .collect();
            EventError::new(
                Kind::UnknownService,
                "serviceName",
                format!(
                    "unknown `serviceName` `{service_name}`: ramguard knows the RAM code of {}",
                    known.join(", ")
                ),
            )
        })
}

impl Service {
    /// The resource `event_name` was authorized on, read from the event's request parameters;
    /// `arn_parts` gives the region and account of an ARN, and is called only for one (a
    /// request on `*` names neither).
    ///
    /// # Errors
    /// `unmapped-action` when the action's resource is not documented; `missing-field` or
    /// `invalid-field` for a parameter that is absent or is not an id; `several-resources` for
    /// a listing of several resources; or the region's and account's errors.
    pub(super) fn resource(
        &self,
        event_name: &str,
        parameters: Option<&Node<'_>>,
        arn_parts: impl FnOnce() -> Result<(String, String), EventError>,
    ) -> Result<String, EventError> {
        let rule = self
            .actions
            .iter()
            .find(|(action, _)| action.eq_ignore_ascii_case(event_name))
            .map(|(_, rule)| *rule)
            .or(self.otherwise)
            .ok_or_else(|| {
                EventError::new(
                    Kind::UnmappedAction,
                    "eventName",
                    format!(
                        "the resource of `{}:{event_name}` is not mapped: ramguard maps only documented resources",
                        self.ram_code
                    ),
                )
            })?;
        let parameter_path = |parameter: &str| format!("requestParameters.{parameter}");
        let (resource_type, id) = match rule {
            Resource::Any => return Ok(ANY_RESOURCE.to_string()),
            Resource::Named {
                parameter,
                resource_type,
            } => {
                let id = parameters
                    .map(|p| p.text(parameter))
                    .transpose()?
                    .flatten()
                    .ok_or_else(|| EventError::missing(parameter_path(parameter)))?;
                check_id(&parameter_path(parameter), &id)?;
                (resource_type, id.into_owned())
            }
            Resource::Listed {
                parameter,
                resource_type,
            } => {
                let list = parameters.map(|p| p.text(parameter)).transpose()?.flatten();
                let ids: Vec<&str> = list
                    .as_deref()
                    .map(|l| l.split(',').map(str::trim).collect())
                    .unwrap_or_default();
                // Every piece is checked first: `r-1,` is a mistake, not a listing of `r-1`.
                for id in &ids {
                    check_id(&parameter_path(parameter), id)?;
                }
                match ids.as_slice() {
                    // No filter: the listing of every resource of the type.
                    [] => (resource_type, "*".to_string()),
                    [one] => (resource_type, (*one).to_string()),
                    several => {
                        return Err(EventError::new(
                            Kind::SeveralResources,
                            parameter_path(parameter),
                            format!(
                                "`{}` names {} resources; a request has one",
                                parameter_path(parameter),
                                several.len()
                            ),
                        ));
                    }
                }
            }
        };
        let (region, account) = arn_parts()?;
        Ok(format!(
            "acs:{}:{region}:{account}:{resource_type}/{id}",
            self.ram_code
        ))
    }
}

/// Refuses an id with characters ids do not have: `/`, `:`, `*`, `?` or `,` would change the
/// resource authorized on, or make it a wildcard. The same rule as the restore parameters'.
fn check_id(field: &str, id: &str) -> Result<(), EventError> {
    let valid = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(EventError::invalid(
            field,
            format_args!(
                "must be a resource id (letters, digits, `-` and `_`), found `{id}`: another character could change the resource authorized on"
            ),
        ))
    }
}
