//! The domain's named values as stored: kinds, states, roles and card kinds are `text`
//! columns (each with a `check` constraint) and come back from a query as their Rust enum,
//! so code compares `ItemState::Done`, never the string `"done"`.
//!
//! In a `query_as!` the column is typed by its field with `as "state: _"`; in a `query!`
//! by name, `as "state: ItemState"`. A stored value the enum does not know is a decode
//! error (our fault, a 500), never a silent default.

use crate::domain::reflection::CardKind;
use crate::domain::{IncrementState, ItemKind, ItemState, Role};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Type};

/// Implements the text column mapping for an enum with `as_str` and a `parse` that
/// answers `Result` or `Option`.
macro_rules! stored_as_text {
    ($($ty:ty),* $(,)?) => {$(
        impl Type<Postgres> for $ty {
            fn type_info() -> PgTypeInfo {
                <str as Type<Postgres>>::type_info()
            }

            fn compatible(ty: &PgTypeInfo) -> bool {
                <str as Type<Postgres>>::compatible(ty)
            }
        }

        impl<'r> Decode<'r, Postgres> for $ty {
            fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
                let raw = <&str as Decode<Postgres>>::decode(value)?;
                Parsed::parsed(<$ty>::parse(raw)).ok_or_else(|| {
                    format!("{raw:?} is not a stored {}", stringify!($ty)).into()
                })
            }
        }

        impl Encode<'_, Postgres> for $ty {
            fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
                <&str as Encode<Postgres>>::encode(self.as_str(), buf)
            }
        }
    )*};
}

stored_as_text!(ItemKind, ItemState, Role, IncrementState, CardKind);

/// `parse` answers `Result` for some enums and `Option` for others.
trait Parsed<T> {
    fn parsed(self) -> Option<T>;
}

impl<T> Parsed<T> for Option<T> {
    fn parsed(self) -> Option<T> {
        self
    }
}

impl<T, E> Parsed<T> for Result<T, E> {
    fn parsed(self) -> Option<T> {
        self.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::PgPool;

    #[sqlx::test(migrations = "../migrations")]
    async fn named_values_come_back_as_their_enums_and_unknown_ones_fail(pool: PgPool) {
        let state: ItemState = sqlx::query_scalar("select 'doing'::text")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(state, ItemState::Doing);
        let role: Role = sqlx::query_scalar("select $1::text")
            .bind(Role::ScrumMaster)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(role, Role::ScrumMaster);
        let kind: CardKind = sqlx::query_scalar("select 'went_badly'")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(kind, CardKind::WentBadly);
        let wrong = sqlx::query_scalar::<_, IncrementState>("select 'paused'::text")
            .fetch_one(&pool)
            .await;
        assert!(wrong.is_err(), "{wrong:?}");
    }
}
