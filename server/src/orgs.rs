//! The seeded organizations. Fixed uuids, so tests and the demo can name them.

use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Org {
    pub id: u64,
    pub uuid: &'static str,
    pub handle: &'static str,
    pub name: &'static str,
    pub owner_id: &'static str,
    pub owner_idp_id: &'static str,
    pub created_at: &'static str,
}

pub const ACME: Org = Org {
    id: 1,
    uuid: "0b7d1f1e-5c6a-4a39-9d3e-2f1a8c4e7b10",
    handle: "acme",
    name: "Acme Corp",
    owner_id: "4a1e2b3c-7d8f-4e5a-9b6c-1d2e3f4a5b6c",
    owner_idp_id: "acme-owner@idp",
    created_at: "2024-03-01T09:00:00Z",
};

pub const GLOBEX: Org = Org {
    id: 2,
    uuid: "6e2c9a47-8d13-4f0b-b5a2-93c7d1e0f864",
    handle: "globex",
    name: "Globex",
    owner_id: "8c9d0e1f-2a3b-4c5d-8e6f-7a8b9c0d1e2f",
    owner_idp_id: "globex-owner@idp",
    created_at: "2024-06-15T14:30:00Z",
};

/// Every org the server knows, in the order `GET /orgs` lists them.
pub const SEEDED: [Org; 2] = [ACME, GLOBEX];

/// The organization uuid of tokens minted with `"org": "nowhere"`: no org list contains it,
/// which is how tests provoke `org-not-found`.
pub const NOWHERE_UUID: &str = "9f3b0c2e-0000-4000-8000-00000000dead";

impl Org {
    pub fn by_handle(handle: &str) -> Option<Org> {
        SEEDED.into_iter().find(|o| o.handle == handle)
    }

    /// The wire form shared by the list and the single-org endpoint.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "uuid": self.uuid,
            "handle": self.handle,
            "name": self.name,
            "owner": {
                "id": self.owner_id,
                "idpId": self.owner_idp_id,
                "createdAt": self.created_at,
            },
        })
    }
}

/// The org uuid for an admin `org` name: a seeded handle or `nowhere`.
pub fn uuid_for(name: &str) -> Option<&'static str> {
    match name {
        "nowhere" => Some(NOWHERE_UUID),
        handle => Org::by_handle(handle).map(|o| o.uuid),
    }
}
