//! The one error type shared by the UI and the server functions. It is serialisable (server
//! functions return it to the browser), maps to an HTTP status, shows a French message, and
//! carries field-level details for forms.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::domain::meeting::FieldError;

/// Everything that can go wrong in a request, as the user is told.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Not signed in, or the session expired.
    #[error("Votre session a expiré : veuillez vous reconnecter.")]
    Unauthenticated,
    /// Signed in but not allowed.
    #[error("Vous n'avez pas les droits nécessaires pour cette action.")]
    Forbidden,
    /// Does not exist, or belongs to another organisation (never tell which).
    #[error("Élément introuvable.")]
    NotFound,
    /// The form has mistakes; `fields` says which.
    #[error("{message}")]
    Validation {
        /// Summary in French.
        message: String,
        /// One entry per field in error.
        fields: Vec<FieldError>,
    },
    /// The request conflicts with the current state (e.g. e-mail already used).
    #[error("{0}")]
    Conflict(String),
    /// The session's anti-forgery token is missing or wrong.
    #[error("Le formulaire a expiré : rechargez la page et recommencez.")]
    Csrf,
    /// Too many attempts.
    #[error("{0}")]
    TooManyRequests(String),
    /// A fault on our side; details are logged, not shown.
    #[error("Une erreur inattendue s'est produite. Réessayez dans un instant.")]
    Internal,
    /// Transport problems (network, serialisation) reported by the server-function layer.
    #[error("Le serveur est injoignable ou a répondu de façon inattendue : {0}")]
    Transport(String),
}

impl AppError {
    /// A validation error with one field.
    pub fn field(field: &str, message: &str) -> AppError {
        AppError::Validation {
            message: message.to_string(),
            fields: vec![FieldError {
                field: field.to_string(),
                message: message.to_string(),
            }],
        }
    }

    /// A validation error from a list of field errors.
    pub fn fields(fields: Vec<FieldError>) -> AppError {
        let message = if fields.len() == 1 {
            fields[0].message.clone()
        } else {
            format!(
                "Le formulaire contient {} erreurs : corrigez les champs signalés.",
                fields.len()
            )
        };
        AppError::Validation { message, fields }
    }

    /// The HTTP status this error maps to.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden | AppError::Csrf => 403,
            AppError::NotFound => 404,
            AppError::Validation { .. } => 422,
            AppError::Conflict(_) => 409,
            AppError::TooManyRequests(_) => 429,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }

    /// The message for one form field, if it is in error.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            AppError::Validation { fields, .. } => fields
                .iter()
                .find(|f| f.field == field)
                .map(|f| f.message.clone()),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::MissingArg(detail) => {
                AppError::Validation {
                    message: format!("Le formulaire est incomplet ou mal formé ({detail})."),
                    fields: Vec::new(),
                }
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => AppError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                AppError::Conflict("Cet élément existe déjà.".to_string())
            }
            _ => {
                tracing::error!(%error, "database error");
                AppError::Internal
            }
        }
    }
}
