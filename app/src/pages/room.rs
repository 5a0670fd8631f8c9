//! Video rooms in the browser: `/reunions/:id/salle` (members) and `/invitation` (a guest who
//! opened a one-time link). The `VideoRoom` island previews the camera and microphone (with a
//! choice of device), then joins the SFU through the room's WebSocket: a grid of tiles with each
//! participant's name and role, mute and unmute, screen share, the active speaker highlighted,
//! the lobby's knocks (professionals) and automatic reconnection. Beside it: the live agenda of a
//! staff or RCP, or the meeting's description. The island is lazy, so no other page loads it.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::staff::get_session;
use crate::api::video::{get_guest_room, get_room, GuestLinkView, RevokeGuestLink, RoomView};
use crate::components::{CsrfField, ErrorBanner, Loading};
use crate::domain::ids::MeetingId;
use crate::domain::video::RoomPeer;
use crate::pages::staff::session::{live_items, LiveSession};
use crate::pages::SignedIn;

/// `/reunions/:id/salle`.
#[component]
pub fn RoomPage() -> impl IntoView {
    view! { <SignedIn><Room/></SignedIn> }
}

#[component]
fn Room() -> impl IntoView {
    let id = crate::pages::route_id();
    crate::has_islands();
    let room = AsyncDerived::new(move || get_room(id()));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match room.await {
                    Ok(room) => view! { <RoomBody room/> }.into_any(),
                    Err(error) => view! { <h1>"Salle vidéo"</h1><ErrorBanner error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RoomBody(room: RoomView) -> impl IntoView {
    let id = room.meeting_id;
    let title = room.title.clone();
    let revoke = ServerAction::<RevokeGuestLink>::new();
    let beside = if room.has_agenda {
        let session = AsyncDerived::new(move || get_session(id));
        view! {
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match session.await {
                        Ok(session) => {
                            let items = live_items(&session);
                            view! { <LiveSession meeting_id=id initial=session.live.clone() items/> }.into_any()
                        }
                        Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    }
                })}
            </Suspense>
        }
        .into_any()
    } else if room.description_html.is_empty() {
        view! { <section class="card"><h2>"Réunion"</h2><p class="muted">"Pas de description."</p></section> }.into_any()
    } else {
        view! {
            <section class="card" aria-labelledby="room-about">
                <h2 id="room-about">"Réunion"</h2>
                <div class="description" inner_html=room.description_html.clone()></div>
            </section>
        }
        .into_any()
    };
    view! {
        <article class="room">
            <p class="breadcrumb"><A href="/reunions">"Réunions"</A> " › " <A href=format!("/reunions/{id}")>{title}</A></p>
            <h1>"Salle vidéo : " {room.title.clone()}</h1>
            <p class="when">{room.when.clone()} " (heure de Paris)"</p>
            <div class="room-layout">
                <div class="room-main">
                    {if room.open {
                        view! {
                            <p class="muted room-hours">{room.notice.clone()}</p>
                            <VideoRoom ws_path=format!("/meetings/{id}/video") me=room.me.clone() guest=false ice_servers=room.ice_servers.clone()/>
                        }.into_any()
                    } else {
                        view! { <p class="alert alert-info room-closed" role="status">{room.notice.clone()}</p> }.into_any()
                    }}
                </div>
                <aside class="room-side">
                    {beside}
                    {room.can_invite_guests.then(|| view! {
                        <GuestLinks meeting_id=id guests=room.guests.clone() revoke/>
                    })}
                </aside>
            </div>
        </article>
    }
}

/// The guest links of a joint consultation: create one (an island shows it once), withdraw one.
#[component]
fn GuestLinks(
    meeting_id: MeetingId,
    guests: Vec<GuestLinkView>,
    revoke: ServerAction<RevokeGuestLink>,
) -> impl IntoView {
    view! {
        <section class="card guest-links" aria-labelledby="guests-title">
            <h2 id="guests-title">"Patient·e invité·e"</h2>
            <p class="muted">"Le lien ne s'ouvre que sur un seul appareil et seulement pour cette consultation. La personne attend dans la salle d'attente jusqu'à ce qu'un professionnel la fasse entrer."</p>
            <GuestLinkMaker meeting_id/>
            {(!guests.is_empty()).then(|| view! {
                <ul class="guest-list">
                    {guests.into_iter().map(|g| view! {
                        <li>
                            <span>{g.created}</span> " · " <span class="tag">{g.state}</span>
                            {g.active.then(|| view! {
                                <ActionForm action=revoke attr:class="inline-form">
                                    <CsrfField/>
                                    <input type="hidden" name="id" value=meeting_id.to_string()/>
                                    <input type="hidden" name="guest" value=g.id.to_string()/>
                                    <button type="submit" class="button-small">"Retirer ce lien"</button>
                                </ActionForm>
                            })}
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}

/// "Créer un lien": asks the server for a new guest link and shows it once, with a copy button.
#[island(lazy)]
fn GuestLinkMaker(meeting_id: MeetingId) -> impl IntoView {
    crate::island_hydrated();
    let link = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let create = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            use crate::components::pii_editor::browser_fetch;
            let csrf = crate::components::use_session().csrf_token;
            let id = meeting_id.to_string();
            let form = [("csrf_token", csrf.as_str()), ("id", id.as_str())];
            match browser_fetch::send("/api/video/guests/create", Some(&form)).await {
                Some((true, text)) => {
                    match serde_json::from_str::<crate::api::video::GuestLinkCreated>(&text) {
                        Ok(created) => {
                            error.set(None);
                            link.set(Some(created.url));
                        }
                        Err(_) => error.set(Some("Réponse inattendue du serveur.".into())),
                    }
                }
                Some((false, text)) => error.set(Some(
                    serde_json::from_str::<crate::error::AppError>(&text)
                        .map(|e| e.to_string())
                        .unwrap_or_else(|_| "Le lien n'a pas pu être créé.".into()),
                )),
                None => error.set(Some(
                    "Le lien n'a pas pu être créé : vérifiez la connexion.".into(),
                )),
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (meeting_id, link, error);
    };
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let (Some(url), Some(window)) = (link.get_untracked(), web_sys::window()) {
            let _ = window.navigator().clipboard().write_text(&url);
        }
    };
    view! {
        <div class="guest-link-maker">
            <button type="button" class="button-primary" on:click=create>"Créer un lien pour le ou la patient·e"</button>
            {move || error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
            {move || link.get().map(|url| view! {
                <div class="guest-link" role="status">
                    <label for="guest-link-url">"Lien à envoyer (affiché une seule fois)"</label>
                    <input id="guest-link-url" type="text" readonly value=url.clone()/>
                    <button type="button" class="button-small" on:click=copy>"Copier le lien"</button>
                </div>
            })}
        </div>
    }
}

/// `/invitation`: the guest's page, for the browser that opened a one-time link.
#[component]
pub fn GuestRoomPage() -> impl IntoView {
    crate::has_islands();
    let room = AsyncDerived::new(get_guest_room);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match room.await {
                    Ok(room) => view! {
                        <article class="room guest-room">
                            <h1>{room.kind.clone()} " : salle vidéo"</h1>
                            <p class="when">{room.when.clone()} " (heure de Paris)"</p>
                            {if room.open {
                                view! {
                                    <p class="muted">"Vérifiez votre caméra et votre micro, indiquez votre nom puis entrez : vous attendrez dans la salle d'attente jusqu'à ce que le médecin vous fasse entrer."</p>
                                    <VideoRoom ws_path="/invitation/video".to_string() me=String::new() guest=true ice_servers=room.ice_servers.clone()/>
                                }.into_any()
                            } else {
                                view! { <p class="alert alert-info room-closed" role="status">{room.notice.clone()}</p> }.into_any()
                            }}
                        </article>
                    }.into_any(),
                    Err(_) => view! {
                        <h1>"Salle vidéo"</h1>
                        <p class="alert alert-error" role="alert">"Ouvrez le lien d'invitation que vous avez reçu pour entrer dans la salle d'attente. Un lien ne fonctionne que sur l'appareil qui l'a ouvert en premier."</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Where the viewer is in the room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Checking the camera and microphone.
    Preview,
    /// Connecting.
    Joining,
    /// A guest in the lobby.
    Waiting,
    /// In the room.
    InRoom,
    /// A guest turned away.
    Refused,
    /// A guest still waiting when the room closed.
    Closed,
    /// Left.
    Left,
}

/// What the room's view follows; the browser client writes it.
#[derive(Clone, Copy)]
pub(crate) struct RoomUi {
    pub phase: RwSignal<Phase>,
    pub me: RwSignal<Option<u64>>,
    pub peers: RwSignal<Vec<RoomPeer>>,
    pub lobby: RwSignal<Vec<RoomPeer>>,
    pub mic: RwSignal<bool>,
    pub cam: RwSignal<bool>,
    pub screen: RwSignal<bool>,
    pub has_audio: RwSignal<bool>,
    pub has_video: RwSignal<bool>,
    pub speaker: RwSignal<Option<u64>>,
    pub notice: RwSignal<Option<String>>,
    pub cameras: RwSignal<Vec<(String, String)>>,
    pub mics: RwSignal<Vec<(String, String)>>,
    pub guest_name: RwSignal<String>,
    /// The camera and microphone are settled (granted, refused or absent): joining may start.
    pub ready: RwSignal<bool>,
}

/// The room itself: preview, lobby, grid and controls.
#[island(lazy)]
fn VideoRoom(
    ws_path: String,
    me: String,
    guest: bool,
    ice_servers: Vec<crate::domain::video::IceServer>,
) -> impl IntoView {
    crate::island_hydrated();
    let ui = RoomUi {
        phase: RwSignal::new(Phase::Preview),
        me: RwSignal::new(None),
        peers: RwSignal::new(Vec::new()),
        lobby: RwSignal::new(Vec::new()),
        mic: RwSignal::new(false),
        cam: RwSignal::new(false),
        screen: RwSignal::new(false),
        has_audio: RwSignal::new(false),
        has_video: RwSignal::new(false),
        speaker: RwSignal::new(None),
        notice: RwSignal::new(None),
        cameras: RwSignal::new(Vec::new()),
        mics: RwSignal::new(Vec::new()),
        guest_name: RwSignal::new(String::new()),
        ready: RwSignal::new(false),
    };
    #[cfg(feature = "hydrate")]
    client::start(ui, ws_path.clone(), guest, ice_servers);
    #[cfg(not(feature = "hydrate"))]
    let _ = (&ws_path, ice_servers);
    let act = move |what: &'static str| {
        move |_| {
            #[cfg(feature = "hydrate")]
            client::act(what);
            #[cfg(not(feature = "hydrate"))]
            let _ = what;
        }
    };
    let decide = move |id: u64, admit: bool| {
        move |_| {
            #[cfg(feature = "hydrate")]
            client::decide(id, admit);
            #[cfg(not(feature = "hydrate"))]
            let _ = (id, admit);
        }
    };
    let me_name = StoredValue::new(me);
    let phase = move || ui.phase.get();
    let tile = move |peer: RoomPeer| {
        let id = peer.id;
        let peer = StoredValue::new(peer);
        let current = move || {
            ui.peers
                .with(|peers| peers.iter().find(|p| p.id == id).cloned())
                .unwrap_or_else(|| peer.get_value())
        };
        let mine = move || ui.me.get() == Some(id);
        view! {
            <li class="tile" class:speaking=move || ui.speaker.get() == Some(id) class:mine=mine
                class:screen=move || current().media.screen data-peer=id.to_string()>
                <video id=format!("tile-video-{id}") class="tile-video" autoplay=true playsinline=true
                    prop:muted=mine aria-label=move || format!("Vidéo de {}", current().name)></video>
                <p class="tile-name">
                    <span class="name">{move || current().name}</span>
                    " " <span class="tile-role">{move || current().role}</span>
                    {move || (!current().media.audio).then(|| view! { " " <span class="tag muted-tag">"micro coupé"</span> })}
                    {move || (!current().media.video).then(|| view! { " " <span class="tag muted-tag">"caméra coupée"</span> })}
                    {move || current().media.screen.then(|| view! { " " <span class="tag">"partage d'écran"</span> })}
                </p>
            </li>
        }
        .into_any()
    };
    view! {
        <section class="video-room" aria-label="Salle vidéo">
            <p class="room-notice" role="status" aria-live="polite">{move || ui.notice.get()}</p>
            <Show when=move || phase() == Phase::Preview>
                {view! {
                <div class="room-preview card">
                    <video id="room-preview" class="tile-video" autoplay=true playsinline=true prop:muted=true aria-label="Aperçu de votre caméra"></video>
                    <div class="device-choice">
                        {device_selects(ui, "room")}
                        {guest.then(|| view! {
                            <div class="field">
                                <label for="guest-name">"Votre nom (vu par les participants)"</label>
                                <input id="guest-name" type="text" maxlength="40" autocomplete="name"
                                    prop:value=move || ui.guest_name.get()
                                    on:input=move |e| ui.guest_name.set(event_target_value(&e))/>
                            </div>
                        })}
                    </div>
                    <p>
                        <button type="button" class="button-primary join-room" on:click=act("join") prop:disabled=move || !ui.ready.get()>
                            {if guest { "Entrer dans la salle d'attente" } else { "Entrer dans la salle" }}
                        </button>
                        {(!guest).then(|| view! { " " <span class="muted">{format!("Vous apparaîtrez sous le nom « {} ».", me_name.get_value())}</span> })}
                    </p>
                </div>
                }.into_any()}
            </Show>
            <Show when=move || phase() == Phase::Joining>
                <p class="muted">"Connexion à la salle…"</p>
            </Show>
            <Show when=move || phase() == Phase::Waiting>
                <p class="alert alert-info lobby-waiting" role="status">"Vous êtes dans la salle d'attente. Le médecin va vous faire entrer ; gardez cette page ouverte."</p>
            </Show>
            <Show when=move || phase() == Phase::Refused>
                <p class="alert alert-error" role="alert">"Votre entrée dans la salle n'a pas été acceptée. Contactez le cabinet si vous pensez qu'il s'agit d'une erreur."</p>
            </Show>
            <Show when=move || phase() == Phase::Closed>
                <p class="alert alert-error" role="alert">"La salle de cette réunion est maintenant fermée, sans que personne ne vous ait fait entrer. Contactez le cabinet pour convenir d'un nouveau rendez-vous."</p>
            </Show>
            <Show when=move || phase() == Phase::Left>
                <p class="alert alert-info" role="status">"Vous avez quitté la salle."</p>
                <p><button type="button" class="button-primary" on:click=act("again")>"Revenir dans la salle"</button></p>
            </Show>
            <Show when=move || phase() == Phase::InRoom>
                {view! {
                {move || {
                    let waiting = ui.lobby.get();
                    (!waiting.is_empty()).then(|| view! {
                        <div class="lobby alert alert-info" role="alert">
                            <p><strong>"Salle d'attente"</strong></p>
                            <ul>
                                {waiting.into_iter().map(|w| view! {
                                    <li>
                                        <span class="lobby-name">{w.name.clone()}</span>" attend. "
                                        <button type="button" class="button-primary button-small admit" on:click=decide(w.id, true)>"Faire entrer"</button>
                                        " " <button type="button" class="button-small" on:click=decide(w.id, false)>"Refuser"</button>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </div>
                    })
                }}
                <ul class="video-grid" aria-label="Participant·es">
                    <For each=move || ui.peers.get() key=|p| p.id children=tile/>
                </ul>
                <div class="room-controls" role="toolbar" aria-label="Commandes de la salle">
                    <button type="button" aria-pressed=move || (!ui.mic.get()).to_string() on:click=act("mic") prop:disabled=move || !ui.has_audio.get()>
                        {move || if ui.mic.get() { "Couper le micro" } else { "Activer le micro" }}
                    </button>
                    <button type="button" aria-pressed=move || (!ui.cam.get()).to_string() on:click=act("cam") prop:disabled=move || !ui.has_video.get()>
                        {move || if ui.cam.get() { "Couper la caméra" } else { "Activer la caméra" }}
                    </button>
                    <button type="button" aria-pressed=move || ui.screen.get().to_string() on:click=act("screen")>
                        {move || if ui.screen.get() { "Arrêter le partage" } else { "Partager l'écran" }}
                    </button>
                    <button type="button" class="button-danger leave-room" on:click=act("leave")>"Quitter la salle"</button>
                </div>
                <details class="room-devices">
                    <summary>"Changer de caméra ou de micro"</summary>
                    <div class="device-choice">{device_selects(ui, "room-live")}</div>
                </details>
                }.into_any()}
            </Show>
        </section>
    }
}

/// The camera and microphone selects (ids `<prefix>-camera`, `<prefix>-mic`): before joining,
/// the preview restarts with the choice; in the room, the new device replaces the old one.
fn device_selects(ui: RoomUi, prefix: &'static str) -> impl IntoView {
    let choose = move |kind: &'static str| {
        move |event: leptos::ev::Event| {
            let value = event_target_value(&event);
            #[cfg(feature = "hydrate")]
            client::choose_device(kind, value);
            #[cfg(not(feature = "hydrate"))]
            let _ = (kind, value);
        }
    };
    let options = |list: RwSignal<Vec<(String, String)>>| {
        move || {
            list.get()
                .into_iter()
                .map(|(id, label)| view! { <option value=id>{label}</option> })
                .collect_view()
        }
    };
    view! {
        <div class="field">
            <label for=format!("{prefix}-camera")>"Caméra"</label>
            <select id=format!("{prefix}-camera") on:change=choose("video") prop:disabled=move || ui.cameras.with(Vec::is_empty)>
                {options(ui.cameras)}
            </select>
        </div>
        <div class="field">
            <label for=format!("{prefix}-mic")>"Micro"</label>
            <select id=format!("{prefix}-mic") on:change=choose("audio") prop:disabled=move || ui.mics.with(Vec::is_empty)>
                {options(ui.mics)}
            </select>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod client;
