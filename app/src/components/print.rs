//! A button that opens the browser's print dialog (print stylesheets decide what is printed).
//! An island: the page's security policy allows no inline script.

use leptos::prelude::*;

/// "Imprimer …": `window.print()`.
#[island(lazy)]
pub fn PrintButton(label: String) -> impl IntoView {
    crate::island_hydrated();
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    view! { <button type="button" class="button no-print" on:click=print>{label}</button> }
}
